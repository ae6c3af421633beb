"""Fixtures for the desktop app's tests: real catalog, temp user data, fake detection."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from planner.calibration.shipped import load_calibration, load_serving_calibration
from planner.catalog.store import Catalog
from planner.catalog.user_layer import UserLayer
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
    catalog.set_user_layer(UserLayer())  # the session's catalog is shared: leave no custom entries behind
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


class ModalDriver:
    """Answers modal dialogs as a user would, while the code under test waits in `exec()`.

    `answer(first, second, ...)` polls (by timer, never sleeping) for the active modal widget and
    hands each new dialog to the next handler, in order; `answered` lists the class and window
    title of each dialog handled.
    """

    POLL_MS, MAX_POLLS = 10, 1000

    def __init__(self) -> None:
        self.answered: list[tuple[str, str]] = []

    def answer(self, *handlers: Callable[[QWidget], None]) -> None:
        queue = list(handlers)
        polls = 0
        last: list[QWidget] = []

        def poll() -> None:
            nonlocal polls
            dialog = QApplication.activeModalWidget()
            if dialog is None or (last and dialog is last[-1]):
                polls += 1
                if polls < self.MAX_POLLS:
                    QTimer.singleShot(self.POLL_MS, poll)
                return
            self.answered.append((type(dialog).__name__, dialog.windowTitle()))
            last.append(dialog)
            queue.pop(0)(dialog)
            if queue:
                polls = 0
                QTimer.singleShot(0, poll)

        QTimer.singleShot(0, poll)


@pytest.fixture
def modal() -> ModalDriver:
    return ModalDriver()
