"""The build composer turns form edits into builds, and explains bad ones."""

from __future__ import annotations

import pytest

from planner.catalog.builds import preset_spec
from planner.ui.composer import BuildComposer
from planner.ui.state import PlannerState


@pytest.fixture
def composer(state: PlannerState, services, qtbot) -> BuildComposer:
    widget = BuildComposer(state, services)
    qtbot.addWidget(widget)
    return widget


def test_adding_a_gpu_makes_a_two_gpu_build(composer: BuildComposer, state: PlannerState, qtbot) -> None:
    with qtbot.waitSignal(state.build_changed):
        composer.gpus._on_add_clicked()
    assert state.build.gpu_count == 2
    assert {g.accelerator.id for g in state.build.gpus} == {"rtx-3060-12gb", "rtx-3090"}


def test_gpu_count_spinner(composer: BuildComposer, state: PlannerState, qtbot) -> None:
    with qtbot.waitSignal(state.build_changed):
        composer.gpus.rows[0].count.setValue(4)
    assert state.build.gpu_count == 4


def test_preset_loads_into_the_form(composer: BuildComposer, state: PlannerState, qtbot) -> None:
    with qtbot.waitSignal(state.build_changed):
        state.set_spec(preset_spec(state.services.catalog, "m3-max-36gb"))
    assert composer.apple.currentData() == "m3-max-30c"
    assert composer.apple_memory.currentData() == 36.0
    assert composer.name.text() == "Apple M3 Max 36GB"


def test_impossible_ram_is_explained(composer: BuildComposer, state: PlannerState, qtbot) -> None:
    composer.ram_gb.setValue(1)
    state.set_spec({**state.spec, "ram_gb": -4})
    assert "ram_gb" in composer.error.text()


def test_bad_part_price_is_explained_not_saved(composer: BuildComposer, state: PlannerState, qtbot) -> None:
    composer.parts._on_add_clicked()
    composer.parts.table.item(0, 1).setText("cheap")
    assert "not a number" in composer.error.text()
    assert all(p.get("price_usd") != "cheap" for p in state.spec.get("parts", []))


def test_power_budget_flags_a_small_psu(composer: BuildComposer, state: PlannerState, qtbot) -> None:
    with qtbot.waitSignal(state.build_changed):
        state.set_spec(preset_spec(state.services.catalog, "2x-rtx3090"))
    composer.psu.setValue(500)
    assert "too small" in composer.power_label.text()
    composer.psu.setValue(1600)
    assert "enough" in composer.power_label.text()


def test_the_part_column_gets_the_room(composer: BuildComposer, state: PlannerState, qtbot) -> None:
    from planner.ui.composer_parts import COL_NAME, COL_PRICE

    composer.resize(430, 900)
    composer.show()
    qtbot.waitExposed(composer)
    state.set_spec(preset_spec(state.services.catalog, "rtx3060-5800x-box"))
    table = composer.parts.table
    name_width = table.columnWidth(COL_NAME)
    assert name_width >= table.viewport().width() * 0.45
    assert name_width > 2 * table.columnWidth(COL_PRICE)
