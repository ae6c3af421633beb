"""The window opens, and says what it skipped, with every damaged fixture of issue 17.

Each fixture is a user-data folder as a real machine could leave it: a saved build that
no longer loads, a settings file with impossible values, a database with malformed pages,
from a newer app, or with a renamed table. The app is built the way `planner` builds it
(`planner.app.open_services`), every pane is shown once, and the damaged-items notice is
checked for what it must tell the user.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QThreadPool

from planner.app import default_panes, open_services
from planner.catalog.userdb import UserDatabase
from planner.hardware.detect import detect
from planner.ui.main_window import MainWindow
from planner.ui.state import PlannerState

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "db" / "migrations"
GOOD = {"gpus": [{"gpu": "rtx-3090", "count": 1}], "ram_gb": 32}
SAVED_ROWS = {
    "negative price": json.dumps({**GOOD, "price_usd": -5000}),
    "nan memory": '{"apple_chip": "m3-max-40c", "unified_memory_gb": NaN}',
    "invalid json": '{"gpus": [',
    "not an object": '"just a string"',
    "bad custom gpu": '{"gpus": [{"custom": {"name": "X", "memory_gb": NaN, "bandwidth_gbs": 1}}]}',
    "huge count": json.dumps({"gpus": [{"gpu": "rtx-3090", "count": 10_000}]}),
}
SETTINGS = {
    "default_context=0": "default_context=0\n",
    "unified_gpu_share=5": "unified_gpu_share=5\n",
    "default_kv_cache=q2": "default_kv_cache=q2\n",
    "default_prompt=-1": "default_prompt=-1\n",
    "nan rate": "usd_exchange_rate=nan\n",
}

Damage = Callable[[Path], str]  # damages the folder; returns words the notice must contain


def _with_rows(rows: dict[str, str]) -> Damage:
    def damage(folder: Path) -> str:
        db = UserDatabase(folder / "user.sqlite", MIGRATIONS)
        db.save_build("Fine", GOOD)
        db.close()
        conn = sqlite3.connect(folder / "user.sqlite")
        with conn:
            for name, raw in rows.items():
                conn.execute(
                    "INSERT INTO saved_builds (name, spec_json, created_at, updated_at) VALUES (?, ?, '', '')",
                    (name, raw),
                )
        conn.close()
        return "could not be loaded"

    return damage


def _with_settings(text: str) -> Damage:
    def damage(folder: Path) -> str:
        (folder / "settings.ini").write_text("[General]\n" + text)
        return "settings.ini"

    return damage


def _garbage_settings(folder: Path) -> str:
    junk = bytes(range(256)) * 4
    lines = b"\n".join([b"[General", junk, b"default_prompt=99999999999", junk, b"hours_per_day=nan", b"=\x00="])
    (folder / "settings.ini").write_bytes(lines)
    return "settings.ini"


def _malformed_pages(folder: Path) -> str:
    path = folder / "user.sqlite"
    UserDatabase(path, MIGRATIONS).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("PRAGMA journal_mode=DELETE")
        for i in range(300):
            conn.execute(
                "INSERT INTO saved_builds (name, spec_json, created_at, updated_at) VALUES (?, ?, '', '')",
                (f"b{i}", json.dumps(GOOD) + " " * 500),
            )
    conn.close()
    data = bytearray(path.read_bytes())
    for offset in range(8192, len(data) - 4096, 4096):
        data[offset + 8 : offset + 200] = b"\xa5" * 192
    path.write_bytes(bytes(data))
    return "was damaged"


def _not_a_database(folder: Path) -> str:
    (folder / "user.sqlite").write_bytes(b"PK\x03\x04 zip, not SQLite" * 200)
    return "was damaged"


def _newer_schema(folder: Path) -> str:
    UserDatabase(folder / "user.sqlite", MIGRATIONS).close()
    conn = sqlite3.connect(folder / "user.sqlite")
    conn.execute("PRAGMA user_version = 42")
    conn.close()
    return "newer version"


def _renamed_table(folder: Path) -> str:
    UserDatabase(folder / "user.sqlite", MIGRATIONS).close()
    conn = sqlite3.connect(folder / "user.sqlite")
    conn.execute("ALTER TABLE saved_builds RENAME TO builds")
    conn.close()
    return "saved_builds is missing"


def _damaged_custom_gpu(folder: Path) -> str:
    UserDatabase(folder / "user.sqlite", MIGRATIONS).close()
    conn = sqlite3.connect(folder / "user.sqlite")
    with conn:
        conn.execute(
            "INSERT INTO custom_gpus VALUES ('g', ?, '')", (json.dumps({"id": "g", "name": "G", "vram_gb": -4}),)
        )
    conn.close()
    return "Skipped custom gpu"


FIXTURES: dict[str, Damage] = {
    **{f"saved row: {name}": _with_rows({name: raw}) for name, raw in SAVED_ROWS.items()},
    "every damaged saved row at once": _with_rows(SAVED_ROWS),
    **{f"settings: {name}": _with_settings(text) for name, text in SETTINGS.items()},
    "settings: garbage file": _garbage_settings,
    "database: malformed pages": _malformed_pages,
    "database: not a database": _not_a_database,
    "database: newer schema": _newer_schema,
    "database: renamed table": _renamed_table,
    "custom GPU row out of range": _damaged_custom_gpu,
}


@pytest.fixture
def open_window(qtbot, tmp_path: Path) -> Iterator[Callable[[Damage], MainWindow]]:
    windows: list[MainWindow] = []

    def make(damage: Damage) -> MainWindow:
        folder = tmp_path / "data"
        folder.mkdir()
        expected = damage(folder)
        settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
        services = open_services(
            folder / "user.sqlite", settings, lambda timeout_s=1.0: detect(probes=[], timeout_s=timeout_s)
        )
        window = MainWindow(PlannerState(services), services, default_panes())
        qtbot.addWidget(window)
        windows.append(window)
        window.show()
        qtbot.waitExposed(window)
        for index in range(window.tabs.count()):  # build every pane's view, as a user clicking through would
            window.tabs.setCurrentIndex(index)
            window.tabs.currentWidget().grab()
        window.expected_notice = expected  # type: ignore[attr-defined]
        return window

    yield make
    for window in windows:
        window.close()
        window.services.workers.wait(10_000)
        window.services.userdb.close()
    assert QThreadPool.globalInstance().waitForDone(10_000)


@pytest.mark.parametrize("damage", FIXTURES.values(), ids=FIXTURES.keys())
def test_the_window_opens_and_names_the_damage(open_window: Callable[[Damage], MainWindow], damage: Damage) -> None:
    window = open_window(damage)
    assert window.isVisible() and window.tabs.count() == 6
    assert window.state.estimate is not None
    expected = window.expected_notice  # type: ignore[attr-defined]
    if expected:
        assert window.notice.isVisible()
        assert expected in window.notice.label.text()


def test_damaged_builds_can_be_exported_then_deleted(
    open_window: Callable[[Damage], MainWindow], qtbot, tmp_path: Path
) -> None:
    window = open_window(_with_rows(SAVED_ROWS))
    assert len(window.notice.damaged) == len(SAVED_ROWS)
    assert window.notice.export_button.isVisible() and window.notice.delete_button.isVisible()
    target = tmp_path / "damaged.json"
    with qtbot.waitSignal(window.library.idle, timeout=10_000):
        window.notice.export_damaged(target)
    exported = json.loads(target.read_text())
    assert {row["name"] for row in exported} == set(SAVED_ROWS)
    assert {row["raw"] for row in exported} == set(SAVED_ROWS.values())
    with qtbot.waitSignal(window.library.idle, timeout=10_000):
        window.notice.delete_damaged()
    assert window.services.userdb.damaged_builds() == []
    assert not window.notice.isVisible()
    assert window.library.names() == ["Fine"]


def test_a_failed_save_shows_an_error_not_an_empty_status_bar(
    open_window: Callable[[Damage], MainWindow], qtbot
) -> None:
    window = open_window(_newer_schema)
    with qtbot.waitSignal(window.library.failed, timeout=10_000):
        window.actions_by_name["Save build"].trigger()
    qtbot.waitUntil(lambda: window.findChild(object, "writeFailedBox") is not None)
    box = window.findChild(object, "writeFailedBox")
    assert "newer version" in box.text()  # type: ignore[union-attr]
    assert "failed" in window.statusBar().currentMessage()
    box.close()  # type: ignore[union-attr]
