"""The File, Edit and Help menus, triggered like a user: the real dialogs are answered by keyboard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QWidget,
)

from planner.ui.main_window import MainWindow
from planner.ui.settings_dialog import SettingsDialog
from planner.ui.state import PlannerState


@pytest.fixture
def window(state: PlannerState, services, qtbot) -> MainWindow:
    win = MainWindow(state, services, [])
    qtbot.addWidget(win)
    win.show()
    return win


_QTBOT: list = []  # this test's qtbot, so `trigger` can wait for the write it started


@pytest.fixture(autouse=True)
def _remember_qtbot(qtbot) -> None:
    _QTBOT[:] = [qtbot]


def settle(window: MainWindow) -> None:
    """Wait until the user-database writes queued so far have finished (they run on a worker)."""
    _QTBOT[0].waitUntil(lambda: not window.library.busy, timeout=10_000)


def trigger(window: MainWindow, name: str) -> None:
    """Trigger a menu action, then wait for the writes it queued."""
    window.actions_by_name[name].trigger()
    settle(window)


def type_text(text: str):
    """Answer a QInputDialog.getText: replace the text, press Enter."""

    def handler(dialog: QWidget) -> None:
        assert isinstance(dialog, QInputDialog)
        line = dialog.findChild(QLineEdit)
        line.selectAll()
        QTest.keyClicks(line, text)
        QTest.keyClick(line, Qt.Key.Key_Return)

    return handler


def pick(item: str):
    """Answer a QInputDialog.getItem: choose `item`, press Enter."""

    def handler(dialog: QWidget) -> None:
        assert isinstance(dialog, QInputDialog)
        combo = dialog.findChild(QComboBox)
        combo.setCurrentIndex(combo.findText(item))
        QTest.keyClick(combo, Qt.Key.Key_Return)

    return handler


def press_escape(dialog: QWidget) -> None:
    QTest.keyClick(dialog, Qt.Key.Key_Escape)


def choose_file(path: Path):
    """Answer a QFileDialog: enter the path as its file name, click Save or Open.

    (Typed key by key, the name box's completer popup would take the Enter key.)
    """

    def handler(dialog: QWidget) -> None:
        assert isinstance(dialog, QFileDialog)
        dialog.findChild(QLineEdit, "fileNameEdit").setText(str(path))
        box = dialog.findChild(QDialogButtonBox)
        (accept,) = [b for b in box.buttons() if box.buttonRole(b) == QDialogButtonBox.ButtonRole.AcceptRole]
        accept.click()

    return handler


def close_message(texts: list[str]):
    """Read a QMessageBox's text into `texts`, then close it with Enter."""

    def handler(dialog: QWidget) -> None:
        assert isinstance(dialog, QMessageBox)
        texts.append(dialog.text())
        QTest.keyClick(dialog, Qt.Key.Key_Return)

    return handler


def test_save_keeps_the_current_build(window: MainWindow, services) -> None:
    trigger(window, "Save build")
    assert [b["name"] for b in services.userdb.builds()] == [window.state.spec["name"]]
    assert "Saved" in window.statusBar().currentMessage()


def test_save_as_names_the_build(window: MainWindow, services, modal) -> None:
    modal.answer(type_text("Office box"))
    trigger(window, "Save build as")
    assert modal.answered == [("QInputDialog", "Save build as")]
    assert [b["name"] for b in services.userdb.builds()] == ["Office box"]
    assert window.state.saved_name == "Office box"


def test_save_as_cancelled_saves_nothing(window: MainWindow, services, modal) -> None:
    modal.answer(press_escape)
    trigger(window, "Save build as")
    assert services.userdb.builds() == []


def test_save_as_an_existing_name_warns_and_keeps_the_first(window: MainWindow, services, modal) -> None:
    services.userdb.save_build("Office box", {"name": "Office box", "ram_gb": 64})
    warnings: list[str] = []
    modal.answer(type_text("Office box"), close_message(warnings))
    trigger(window, "Save build as")
    assert [kind for kind, _title in modal.answered] == ["QInputDialog", "QMessageBox"]
    assert "already exists" in warnings[0]
    assert services.userdb.build("Office box")["ram_gb"] == 64


def test_rename_picks_a_saved_build_and_renames_it(window: MainWindow, services, modal) -> None:
    window.library.save("Box")
    settle(window)
    modal.answer(pick("Box"), type_text("Dual box"))
    trigger(window, "Rename build")
    assert [b["name"] for b in services.userdb.builds()] == ["Dual box"]


def test_rename_with_nothing_saved_says_so(window: MainWindow, modal) -> None:
    trigger(window, "Rename build")
    assert modal.answered == []
    assert window.statusBar().currentMessage() == "No saved builds to rename"


def test_duplicate_saves_a_copy(window: MainWindow, services) -> None:
    window.library.save("Box")
    settle(window)
    trigger(window, "Duplicate build")
    assert sorted(b["name"] for b in services.userdb.builds()) == ["Box", "Box copy"]


def test_delete_asks_which_and_undo_brings_it_back(window: MainWindow, services, modal) -> None:
    window.library.save("Box")
    settle(window)
    window.library.duplicate()
    settle(window)
    modal.answer(pick("Box copy"))
    trigger(window, "Delete build")
    assert [b["name"] for b in services.userdb.builds()] == ["Box"]
    window.undo.undo()
    settle(window)
    assert sorted(b["name"] for b in services.userdb.builds()) == ["Box", "Box copy"]


def test_delete_cancelled_keeps_everything(window: MainWindow, services, modal) -> None:
    window.library.save("Box")
    settle(window)
    modal.answer(press_escape)
    trigger(window, "Delete build")
    assert [b["name"] for b in services.userdb.builds()] == ["Box"]


def test_export_then_import_a_build_file(window: MainWindow, services, modal, tmp_path: Path) -> None:
    target = tmp_path / "shared box.json"
    window.state.set_spec({**window.state.spec, "name": "Shared box", "ram_gb": 96})
    modal.answer(choose_file(target))
    trigger(window, "Export build")
    assert json.loads(target.read_text())["ram_gb"] == 96
    modal.answer(choose_file(target))
    trigger(window, "Import build")
    assert window.state.saved_name == "Shared box"
    assert services.userdb.build("Shared box")["ram_gb"] == 96


def test_importing_a_broken_file_warns_and_saves_nothing(window: MainWindow, services, modal, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    warnings: list[str] = []
    modal.answer(choose_file(broken), close_message(warnings))
    trigger(window, "Import build")
    assert warnings and "broken.json" in warnings[0]
    assert services.userdb.builds() == []


def test_preferences_change_the_cost(window: MainWindow, state: PlannerState, modal, qtbot) -> None:
    before = state.estimate.cost.usd_per_day_power

    def set_electricity_price(dialog: QWidget) -> None:
        assert isinstance(dialog, SettingsDialog)
        price = dialog.kwh
        price.selectAll()
        QTest.keyClicks(price, "0.5")
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    modal.answer(set_electricity_price)
    with qtbot.waitSignal(state.estimate_changed):
        trigger(window, "Preferences")
    assert window.services.settings.get("electricity_usd_per_kwh") == pytest.approx(0.5)
    assert state.estimate.cost.usd_per_day_power == pytest.approx(before * 0.5 / 0.17, rel=0.01)


def test_preferences_cancelled_change_nothing(window: MainWindow, state: PlannerState, modal) -> None:
    def type_then_cancel(dialog: QWidget) -> None:
        assert isinstance(dialog, SettingsDialog)
        dialog.findChild(QDoubleSpinBox).selectAll()
        QTest.keyClicks(dialog.kwh, "0.9")
        dialog.reject()

    modal.answer(type_then_cancel)
    trigger(window, "Preferences")
    assert window.services.settings.get("electricity_usd_per_kwh") == pytest.approx(0.17)


def test_about_names_version_catalog_and_calibration(window: MainWindow, modal) -> None:
    texts: list[str] = []
    modal.answer(close_message(texts))
    trigger(window, "About LLM Build Planner")
    assert texts and "Catalog " + window.services.catalog.version in texts[0]
    assert "Calibration" in texts[0]


def test_cancelling_a_build_sheet_export_writes_nothing(window: MainWindow, modal, qtbot, tmp_path: Path) -> None:
    from planner.ui.export_sheet import start_export

    target = tmp_path / "sheet.pdf"
    progress = start_export(window, target)
    assert isinstance(progress, QProgressDialog)
    progress.findChild(QPushButton).click()  # its Cancel button
    qtbot.waitUntil(lambda: "cancelled" in window.statusBar().currentMessage(), timeout=20_000)
    assert window.statusBar().currentMessage() == "Export cancelled; nothing was written"
    assert not target.exists() and window.last_export is None
    assert not [w for w in window.findChildren(QDialog) if isinstance(w, QMessageBox) and w.isVisible()]
