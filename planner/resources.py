"""The one place that finds the app's resources (catalog, calibration, icons).

Works from a source checkout, an installed wheel and a frozen (PyInstaller) bundle.
`PLANNER_RESOURCES` overrides the folder, which tests and packaging use.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resources_dir() -> Path:
    override = os.environ.get("PLANNER_RESOURCES")
    if override:
        return Path(override)
    frozen_base = getattr(sys, "_MEIPASS", None)
    if frozen_base:
        return Path(frozen_base) / "resources"
    checkout = _PACKAGE_DIR.parent / "resources"
    if checkout.is_dir():
        return checkout
    return _PACKAGE_DIR / "_resources"


def resource_path(name: str) -> Path:
    return resources_dir() / name


def catalog_path() -> Path:
    return resource_path("catalog.sqlite")


def calibration_path() -> Path:
    return resource_path("calibration.json")


def catalog_source_dir() -> Path:
    """`db/` of a source checkout (a frozen bundle carries only db/migrations)."""
    frozen_base = getattr(sys, "_MEIPASS", None)
    if frozen_base:
        return Path(frozen_base) / "db"
    return _PACKAGE_DIR.parent / "db"


def serving_calibration_path() -> Path:
    return resource_path("serving_calibration.json")
