"""The composition root: builds the catalog, probes and services, then the main window."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from planner.calibration.shipped import load_calibration, load_serving_calibration
from planner.catalog.store import Catalog
from planner.catalog.userdb import UserDatabase, default_user_db_path
from planner.errors import PlannerError
from planner.hardware.detect import detect
from planner.resources import calibration_path, catalog_path, migrations_dir, resource_path, serving_calibration_path


def _services(scratch: Path | None = None):
    """The app's services; with `scratch`, user data and settings live there (self-test)."""
    from PySide6.QtCore import QSettings

    user_db = scratch / "user.sqlite" if scratch else default_user_db_path()
    if scratch:
        copy_user_data(default_user_db_path(), user_db)
        real_settings = Path(QSettings("LLM Build Planner", "planner").fileName())
        if real_settings.suffix in (".conf", ".ini") and real_settings.is_file():
            shutil.copyfile(real_settings, scratch / "settings.ini")  # INI on Linux; other formats are skipped
    qsettings = QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat) if scratch else None
    return open_services(user_db, qsettings)


def open_services(user_db: Path, qsettings: object | None = None, detector: Callable | None = None):
    """Services over this user database and these settings. A damaged or unusable database
    does not stop the app: it is set aside or opened read-only, and the window says so."""
    from PySide6.QtCore import QThreadPool

    from planner.ui.services import Services
    from planner.ui.settings import Settings
    from planner.ui.workers import WorkerPool

    return Services(
        catalog=Catalog(catalog_path()),
        calibration=load_calibration(calibration_path()),
        serving_calibration=load_serving_calibration(serving_calibration_path()),
        userdb=UserDatabase(user_db, migrations_dir(), recover=True),
        settings=Settings(qsettings),  # type: ignore[arg-type]
        workers=WorkerPool(QThreadPool.globalInstance()),
        detect=detector or (lambda timeout_s=8.0: detect(timeout_s=timeout_s)),
    )


def copy_user_data(real: Path, copy: Path) -> None:
    """The self-test runs on a copy of the user's real database, read without changing it,
    so it cannot report ok while the app cannot start with that data."""
    if not real.exists():
        return
    try:
        source = sqlite3.connect(f"{real.resolve().as_uri()}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(copy)
            with target:
                source.backup(target)
            target.close()
        finally:
            source.close()
    except sqlite3.Error:
        copy.unlink(missing_ok=True)
        shutil.copyfile(real, copy)  # a damaged file: copy its bytes so the self-test meets it as the app would


def default_panes() -> list[tuple[str, Callable]]:
    """The tabs after "Estimate", in order (Qt is imported here, not at module load)."""
    from planner.ui.can_run_pane import CanRunPane
    from planner.ui.catalog_pane import CatalogPane
    from planner.ui.compare_pane import ComparePane
    from planner.ui.plan_pane import PlanPane
    from planner.ui.this_pc_pane import ThisPcPane

    return [
        ("What can it run", CanRunPane),
        ("Compare", ComparePane),
        ("Plan", PlanPane),
        ("Catalog", CatalogPane),
        ("This PC", ThisPcPane),
    ]


def run(self_test: bool = False) -> int:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QMessageBox

    from planner.ui.main_window import MainWindow
    from planner.ui.state import PlannerState
    from planner.ui.theme import apply_os_theme

    if self_test and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("LLM Build Planner")
    app.setOrganizationName("LLM Build Planner")
    app.setDesktopFileName("llm-build-planner")  # Wayland app id / .desktop association
    icon = resource_path("icons/llm-build-planner.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    apply_os_theme(app)
    scratch = Path(tempfile.mkdtemp(prefix="planner-self-test-")) if self_test else None
    try:
        services = _services(scratch)
    except PlannerError as exc:
        if self_test:
            print(json.dumps({"ok": False, "error": str(exc)}))  # noqa: T201 - the self-test's report
            return 1
        QMessageBox.critical(None, "LLM Build Planner", str(exc))
        return 1
    state = PlannerState(services)
    window = MainWindow(state, services, default_panes())
    if self_test:
        from planner.ui.self_test import SelfTest

        test = SelfTest(app, window)  # type: ignore[arg-type]
        window.show()
        try:
            return test.exec()
        finally:
            services.userdb.close()
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)
    window.show()
    return int(app.exec())
