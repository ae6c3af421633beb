"""Every searchable box takes what the user types: Enter, Tab or leaving the field selects."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox

from planner.ui.composer import BuildComposer
from planner.ui.plan_pane import PlanPane
from planner.ui.searchable_combo import SearchableCombo, unique_choice
from planner.ui.state import PlannerState
from planner.ui.workload_panel import WorkloadPanel


def type_into(combo: QComboBox, text: str, key: Qt.Key = Qt.Key.Key_Return) -> None:
    """Select all, type, then press `key`, as a user does."""
    edit = combo.lineEdit()
    edit.setFocus()
    QTest.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, key)


@pytest.fixture
def composer(state: PlannerState, services, qtbot) -> BuildComposer:
    widget = BuildComposer(state, services)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)  # focus moves only in the active window
    return widget


def test_labels_pick_the_plain_name_before_its_variants() -> None:
    labels = ["NVIDIA GeForce RTX 3090  (24 GB)", "NVIDIA GeForce RTX 3090 Ti  (24 GB)", "RTX 13090"]
    assert unique_choice(labels, "3090") == 0
    assert unique_choice(labels, "3090 ti") == 1
    assert unique_choice(["Mixtral 8x7B", "Mixtral 8x22B"], "mixtral") is None
    assert unique_choice(["Mixtral 8x7B", "Mixtral 8x22B"], "8x22") == 1
    assert unique_choice(labels, "banana") is None


def test_typing_a_gpu_and_enter_selects_it(composer: BuildComposer, state: PlannerState, qtbot) -> None:
    with qtbot.waitSignal(state.build_changed):
        type_into(composer.gpus.rows[0].device, "3090")
    assert [g.accelerator.id for g in state.build.gpus] == ["rtx-3090"]
    assert composer.gpus.rows[0].device.currentText() == composer.gpus.rows[0].device.itemText(
        composer.gpus.rows[0].device.currentIndex()
    )


def test_typing_a_gpu_and_tab_selects_it(composer: BuildComposer, state: PlannerState, qtbot) -> None:
    with qtbot.waitSignal(state.build_changed):
        type_into(composer.gpus.rows[0].device, "4090", Qt.Key.Key_Tab)
    assert [g.accelerator.id for g in state.build.gpus] == ["rtx-4090"]


def test_unknown_text_reverts_with_a_hint(composer: BuildComposer, state: PlannerState, qtbot) -> None:
    combo = composer.gpus.rows[0].device
    before = combo.currentText()
    with qtbot.waitSignal(combo.hint_shown):
        type_into(combo, "banana")
    assert combo.currentText() == before
    assert "matches nothing" in combo.last_hint
    assert [g.accelerator.id for g in state.build.gpus] == ["rtx-3060-12gb"]


def test_ambiguous_text_shows_the_matches_then_reverts_on_leaving(composer: BuildComposer, state, qtbot) -> None:
    combo = composer.cpu
    type_into(combo, "ryzen")
    assert combo.completer().popup().isVisible()
    assert combo.completer().completionCount() > 1
    assert state.build.cpu.id == "ryzen-7-5800x"
    QTest.keyClick(combo.completer().popup(), Qt.Key.Key_Escape)
    composer.ram_gb.setFocus()
    qtbot.waitUntil(lambda: combo.currentText() == combo.itemText(combo.currentIndex()))


def test_typing_a_cpu_selects_it(composer: BuildComposer, state: PlannerState, qtbot) -> None:
    with qtbot.waitSignal(state.build_changed):
        type_into(composer.cpu, "7950x")
    assert state.build.cpu.id == "ryzen-9-7950x"


def test_typing_an_apple_chip_selects_it(composer: BuildComposer, state: PlannerState, qtbot) -> None:
    with qtbot.waitSignal(state.build_changed):
        type_into(composer.apple, "m3 ultra 80")
    assert state.spec["apple_chip"] == composer.apple.currentData()
    assert "M3 Ultra" in composer.apple.currentText()


def test_typing_a_model_selects_it(state: PlannerState, services, qtbot) -> None:
    panel = WorkloadPanel(state, services)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(state.estimate_changed):
        type_into(panel.model, "mixtral 8x7b")
    assert state.model_id == "mixtral-8x7b"
    assert state.estimate is not None and state.estimate.model.id == "mixtral-8x7b"


def test_typing_a_model_in_plan_selects_it(state: PlannerState, services, qtbot) -> None:
    pane = PlanPane(state, services)
    qtbot.addWidget(pane)
    combo = pane.model_combo
    assert isinstance(combo, SearchableCombo)
    type_into(combo, "qwen2.5 32b")
    assert "32B" in combo.currentText()
    assert combo.currentData() == "qwen2.5-32b"


def test_a_mac_shows_no_desktop_cpu_ram_or_psu(composer: BuildComposer, state: PlannerState, qtbot) -> None:
    with qtbot.waitSignal(state.build_changed):
        type_into(composer.apple, "m3 max 40")
    assert state.spec.get("gpus") == [] and "cpu" not in state.spec
    assert not composer.system_box.isVisible() and not composer.psu.isEnabled()
    assert "built in" in composer.mac_note.text() and "built in" in composer.power_label.text()
    assert state.build.cpu.name.startswith("Apple M3 Max")


def test_adding_a_gpu_to_a_mac_is_refused_with_a_reason(composer: BuildComposer, state: PlannerState, qtbot) -> None:
    with qtbot.waitSignal(state.build_changed):
        type_into(composer.apple, "m3 max 40")
    with qtbot.waitSignal(state.build_failed):
        composer.gpus._on_add_clicked()
    assert "cannot be combined" in composer.error.text()
    assert state.build.is_unified and len(state.build.gpus) == 1
