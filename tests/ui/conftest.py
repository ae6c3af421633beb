"""Fixtures for the desktop app's tests: real catalog, temp user data, fake detection."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QThreadPool

from planner.calibration.shipped import load_calibration, load_serving_calibration
from planner.catalog.store import Catalog
from planner.catalog.userdb import UserDatabase
from planner.hardware.detect import detect
from planner.ui.services import Services
from planner.ui.settings import Settings
from planner.ui.state import PlannerState
from planner.ui.workers import WorkerPool

ROOT = Path(__file__).resolve().parents[2]


def no_hardware(timeout_s: float = 1.0):
    """Detection on a machine with nothing detectable: every probe absent."""
    return detect(probes=[], timeout_s=timeout_s)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def services(catalog: Catalog, settings: Settings, tmp_path: Path) -> Iterator[Services]:
    userdb = UserDatabase(tmp_path / "user.sqlite", ROOT / "db" / "migrations")
    pool = WorkerPool(QThreadPool())
    yield Services(
        catalog=catalog,
        calibration=load_calibration(ROOT / "resources" / "calibration.json"),
        serving_calibration=load_serving_calibration(ROOT / "resources" / "serving_calibration.json"),
        userdb=userdb,
        settings=settings,
        workers=pool,
        detect=no_hardware,
    )
    assert pool.wait(10_000), "a background worker was still running after the test"
    userdb.close()


@pytest.fixture
def state(services: Services, qtbot) -> PlannerState:
    return PlannerState(services)


@pytest.fixture(autouse=True)
def _no_leftover_background_work() -> Iterator[None]:
    """Fail a test that leaves pooled workers or telemetry threads running (as napari does)."""
    yield
    pool = QThreadPool.globalInstance()
    assert pool.waitForDone(10_000), "a worker on the global thread pool was still running"
    alive = [t.name for t in threading.enumerate() if t.name.startswith("telemetry") and t.is_alive()]
    assert not alive, f"telemetry threads left running: {alive}"
