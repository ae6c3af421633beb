"""The whole window: panes wired together, menus, This PC from the picker, PDF export."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from planner.app import default_panes
from planner.ui.main_window import MainWindow, PaneFactory
from planner.ui.settings_dialog import SettingsDialog
from planner.ui.state import PlannerState
from planner.ui.this_pc_pane import ThisPcPane


@pytest.fixture
def window(state: PlannerState, services, qtbot) -> MainWindow:
    win = MainWindow(state, services, default_panes())
    qtbot.addWidget(win)
    return win


def test_every_pane_is_a_tab(window: MainWindow) -> None:
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["Estimate", "What can it run", "Compare", "Plan", "Catalog", "This PC"]


def test_menus_offer_the_build_actions(window: MainWindow) -> None:
    for name in ("Save build", "Rename build", "Duplicate build", "Delete build", "Import build",
                 "Export build", "Export build sheet", "Preferences"):  # fmt: skip
        assert name in window.actions_by_name


def test_detection_starts_after_the_window_appears(window: MainWindow, services, qtbot) -> None:
    pane = window.pane(ThisPcPane)
    assert pane is not None
    with qtbot.waitSignal(pane.detection_finished, timeout=10_000):
        window.show()
    assert services.detection is not None


def test_this_pc_from_the_picker_becomes_the_build(window: MainWindow, state: PlannerState, qtbot) -> None:
    window.show()
    with qtbot.waitSignal(state.build_changed, timeout=10_000):
        window.picker.this_pc_requested.emit()
    assert state.build.name == "This PC"
    assert window.tabs.currentWidget() is window.pane(ThisPcPane)


def test_export_build_sheet_from_the_app(window: MainWindow, state: PlannerState, tmp_path: Path, qtbot) -> None:
    from planner.ui.export_sheet import start_export

    state.set_spec({**state.spec, "name": "<b>Tom & Jerry's</b> box"})
    target = tmp_path / "sheet.pdf"
    start_export(window, target)
    qtbot.waitUntil(lambda: window.last_export is not None, timeout=20_000)
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(target).pages)
    assert "<b>Tom & Jerry's</b> box" in text
    assert window.last_export.pages >= 2


def _plain_panes(*titles: str) -> list[tuple[str, PaneFactory]]:
    """Stand-in tabs: restoring layout and tab needs tabs, not the real panes' work."""
    return [(title, lambda _state, _services, parent: QLabel(parent)) for title in titles]


def test_layout_and_tab_are_restored(state: PlannerState, services, qtbot) -> None:
    panes = _plain_panes("One", "Two")
    first = MainWindow(state, services, panes)
    qtbot.addWidget(first)
    first.resize(700, 500)  # within the offscreen screen
    first.actions_by_name["Two"].trigger()  # View ▸ Two
    assert first.tabs.currentIndex() == 2
    first.close()
    second = MainWindow(state, services, panes)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (700, 500)
    assert second.tabs.currentIndex() == 2 and second.tabs.tabText(2) == "Two"


def test_a_saved_tab_that_no_longer_exists_falls_back_to_the_last(state: PlannerState, services, qtbot) -> None:
    services.settings.set("last_tab", 7)
    window = MainWindow(state, services, _plain_panes("One"))
    qtbot.addWidget(window)
    assert window.tabs.currentIndex() == 1


def test_electricity_is_asked_in_the_chosen_currency(services, qtbot) -> None:
    services.settings.set("currency", "EUR")
    services.settings.set("usd_exchange_rate", 0.5)
    services.settings.set("electricity_usd_per_kwh", 0.40)
    dialog = SettingsDialog(services.settings)
    qtbot.addWidget(dialog)
    assert "EUR" in dialog.kwh.suffix() and "USD" not in dialog.kwh.suffix()
    assert dialog.kwh.value() == pytest.approx(0.20)
    dialog.kwh.lineEdit().selectAll()
    QTest.keyClicks(dialog.kwh.lineEdit(), "0.300")
    dialog.accept()
    assert services.settings.get("electricity_usd_per_kwh") == pytest.approx(0.60)
