"""Save as, Rename, Undo of composer edits, and the last build at the next start."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QInputDialog

from planner.app import default_panes
from planner.ui.main_window import MainWindow
from planner.ui.plan_pane import PlanPane
from planner.ui.state import PlannerState


@pytest.fixture
def window(state: PlannerState, services, qtbot) -> MainWindow:
    win = MainWindow(state, services, default_panes())
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    return win


def answer(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """The user types `text` into the name dialog and presses OK."""
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: (text, True)))


def type_into(widget, text: str) -> None:
    edit = widget.lineEdit()
    edit.setFocus()
    QTest.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key.Key_Return)


def test_save_as_moves_the_form_to_the_new_name(window: MainWindow, state, monkeypatch, qtbot) -> None:
    answer(monkeypatch, "First")
    window.actions_by_name["Save build as"].trigger()
    qtbot.waitUntil(lambda: not window.library.busy, timeout=10_000)
    answer(monkeypatch, "Second")
    window.actions_by_name["Save build as"].trigger()
    qtbot.waitUntil(lambda: not window.library.busy, timeout=10_000)
    assert window.composer.name.text() == "Second" and state.saved_name == "Second"
    type_into(window.composer.gpus.rows[0].device, "3090")
    window.actions_by_name["Save build"].trigger()  # Ctrl+S: no "already exists"
    qtbot.waitUntil(lambda: not window.library.busy, timeout=10_000)
    assert window.library.userdb.build("Second")["gpus"][0]["gpu"] == "rtx-3090"
    assert window.library.userdb.build("First")["gpus"][0]["gpu"] == "rtx-3060-12gb"


def test_rename_moves_the_form_to_the_new_name(window: MainWindow, state, monkeypatch, qtbot) -> None:
    answer(monkeypatch, "Old")
    window.actions_by_name["Save build as"].trigger()
    qtbot.waitUntil(lambda: not window.library.busy, timeout=10_000)
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a, **k: ("Old", True)))
    answer(monkeypatch, "New")
    window.actions_by_name["Rename build"].trigger()
    qtbot.waitUntil(lambda: not window.library.busy, timeout=10_000)
    assert window.composer.name.text() == "New" and state.saved_name == "New"
    type_into(window.composer.cpu, "7950x")
    window.actions_by_name["Save build"].trigger()
    qtbot.waitUntil(lambda: not window.library.busy, timeout=10_000)
    assert window.library.userdb.build("New")["cpu"] == "ryzen-9-7950x"
    assert window.library.names() == ["New"]


def test_ctrl_z_undoes_composer_edits(window: MainWindow, state: PlannerState, qtbot) -> None:
    type_into(window.composer.gpus.rows[0].device, "3090")
    window.composer.gpus.rows[0].count.setFocus()
    QTest.keyClick(window.composer.gpus.rows[0].count, Qt.Key.Key_Up)
    type_into(window.composer.cpu, "7950x")
    assert state.build.gpu_count == 2 and state.build.cpu.id == "ryzen-9-7950x"
    window.tabs.setFocus()
    QTest.keyClick(window.tabs, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert state.build.cpu.id == "ryzen-7-5800x" and window.composer.cpu.currentData() == "ryzen-7-5800x"
    QTest.keyClick(window.tabs, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert state.build.gpu_count == 1
    QTest.keyClick(window.tabs, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [g.accelerator.id for g in state.build.gpus] == ["rtx-3060-12gb"]
    assert window.composer.gpus.rows[0].device.currentData() == "rtx-3060-12gb"
    QTest.keyClick(window.tabs, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert [g.accelerator.id for g in state.build.gpus] == ["rtx-3090"]


def test_the_last_build_comes_back_at_the_next_start(window: MainWindow, state, services, qtbot) -> None:
    type_into(window.composer.gpus.rows[0].device, "4090")
    window.composer.ram_gb.setValue(64)
    window.close()
    again = PlannerState(services)
    assert [g.accelerator.id for g in again.build.gpus] == ["rtx-4090"] and again.build.ram_gb == 64


def test_a_stale_last_build_is_skipped(services, qtbot) -> None:
    services.settings.set("last_build_spec", '{"gpus": [{"gpu": "no-such-gpu"}]}')
    state = PlannerState(services)
    assert state.build.gpus[0].accelerator.id == "rtx-3060-12gb"


def test_shortcuts_for_preferences_rename_delete_and_export(window: MainWindow) -> None:
    for name in ("Preferences", "Rename build", "Delete build", "Export build", "Export build sheet"):
        assert not window.actions_by_name[name].shortcut().isEmpty(), name
    shortcuts = [a.shortcut().toString() for a in window.actions_by_name.values() if not a.shortcut().isEmpty()]
    assert len(shortcuts) == len(set(shortcuts))


def test_saving_a_build_refreshes_the_plan(window: MainWindow, monkeypatch, qtbot) -> None:
    plan = window.pane(PlanPane)
    assert plan is not None
    with qtbot.waitSignal(plan.plan_shown, timeout=20_000):
        plan.search()
    answer(monkeypatch, "Fresh box")
    with qtbot.waitSignal(plan.plan_shown, timeout=20_000) as blocker:
        window.actions_by_name["Save build as"].trigger()
        qtbot.waitUntil(lambda: not window.library.busy, timeout=10_000)
    assert any(r.kind == "saved" and r.name == "Fresh box" for r in blocker.args[0].results)
