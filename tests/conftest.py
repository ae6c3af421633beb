"""Shared fixtures: a catalog built once per session from db/ into a temp folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from planner.catalog.build import build_catalog
from planner.catalog.store import Catalog

ROOT = Path(__file__).resolve().parents[1]
DB_DIR = ROOT / "db"

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def catalog_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_catalog(DB_DIR, tmp_path_factory.mktemp("catalog") / "catalog.sqlite")


@pytest.fixture(scope="session")
def catalog(catalog_file: Path) -> Catalog:
    return Catalog(catalog_file)


@pytest.fixture(autouse=True)
def _catalog_env(catalog_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Point the CLI at the test catalog and user data at a temp folder."""
    resources = tmp_path / "resources"
    resources.mkdir()
    (resources / "catalog.sqlite").symlink_to(catalog_file)
    for name in ("calibration.json", "serving_calibration.json"):
        if (ROOT / "resources" / name).exists():
            (resources / name).symlink_to(ROOT / "resources" / name)
    monkeypatch.setenv("PLANNER_RESOURCES", str(resources))
    monkeypatch.setenv("PLANNER_USER_DATA", str(tmp_path / "userdata"))
