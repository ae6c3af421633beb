"""The one place that finds the app's resources (catalog, calibration, icons, migrations).

Works from a source checkout (resources/ and db/ beside the package), an installed wheel
(planner/_resources, filled by setup.py) and a frozen PyInstaller bundle (sys._MEIPASS).
`PLANNER_RESOURCES` overrides the resources folder, which tests and packaging use.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_WHEEL_RESOURCES = _PACKAGE_DIR / "_resources"  # only an installed wheel has it
_CHECKOUT = _PACKAGE_DIR.parent


def _frozen_base() -> Path | None:
    base = getattr(sys, "_MEIPASS", None)
    return Path(base) if base else None


def resources_dir() -> Path:
    override = os.environ.get("PLANNER_RESOURCES")
    if override:
        return Path(override)
    frozen = _frozen_base()
    if frozen is not None:
        return frozen / "resources"
    if _WHEEL_RESOURCES.is_dir():
        return _WHEEL_RESOURCES
    return _CHECKOUT / "resources"


def resource_path(name: str) -> Path:
    return resources_dir() / name


def catalog_path() -> Path:
    return resource_path("catalog.sqlite")


def calibration_path() -> Path:
    return resource_path("calibration.json")


def migrations_dir() -> Path:
    """The user database's migrations (db/migrations in a checkout)."""
    frozen = _frozen_base()
    if frozen is not None:
        return frozen / "db" / "migrations"
    if _WHEEL_RESOURCES.is_dir():
        return _WHEEL_RESOURCES / "migrations"
    return _CHECKOUT / "db" / "migrations"


def catalog_source_dir() -> Path:
    """`db/` of a source checkout: what `planner catalog build` compiles (a wheel or bundle has none)."""
    return _CHECKOUT / "db"


def serving_calibration_path() -> Path:
    return resource_path("serving_calibration.json")
