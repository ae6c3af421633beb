"""The Compare pane: two to four builds side by side, as a table and as charts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from planner.catalog.builds import preset_spec
from planner.ui.compare_model import (
    MAX_BUILDS,
    METRICS,
    ROW_FIT,
    ROW_GEN,
    ROW_MAX_CONTEXT,
    ROW_PRICE,
    SORT_ROLE,
    CompareColumn,
    CompareTableModel,
)
from planner.ui.compare_pane import CURRENT, ComparePane, hardware_key
from planner.ui.format import Money
from planner.ui.services import Services
from planner.ui.state import PlannerState


@pytest.fixture
def pane(qtbot, state: PlannerState, services: Services) -> ComparePane:
    widget = ComparePane(state, services)
    qtbot.addWidget(widget)
    return widget


def preset_keys(services: Services) -> list[str]:
    return [f"preset:{pid}" for pid in services.catalog.preset_rows]


def test_table_model_passes_qmodeltester(qtmodeltester, pane: ComparePane, services: Services) -> None:
    pane.add_build(preset_keys(services)[1])
    qtmodeltester.check(pane.model)
    qtmodeltester.check(CompareTableModel(Money(services.settings)))


def test_starts_with_the_current_build_and_a_preset(pane: ComparePane) -> None:
    assert pane.chosen[0] == CURRENT and len(pane.chosen) == 2
    assert pane.model.columnCount() == 2 and pane.model.rowCount() == len(METRICS)
    assert pane.model.headerData(ROW_GEN, Qt.Orientation.Vertical) == "Generation tok/s (range)"


def test_two_to_four_columns_and_a_fifth_is_refused(pane: ComparePane, services: Services) -> None:
    for key in [k for k in preset_keys(services) if k not in pane.chosen][:2]:
        assert pane.add_build(key)
    assert pane.model.columnCount() == MAX_BUILDS
    assert not pane.add_build(next(k for k in preset_keys(services) if k not in pane.chosen))
    assert pane.model.columnCount() == MAX_BUILDS
    assert "at most 4 builds" in pane.message.text()
    pane.remove_build(CURRENT)
    assert pane.model.columnCount() == 3


def test_fewer_than_two_builds_asks_for_more(pane: ComparePane) -> None:
    pane.remove_build(pane.chosen[1])
    assert pane.model.columnCount() == 1
    assert "at least 2" in pane.message.text()


def test_duplicates_are_refused(pane: ComparePane) -> None:
    assert not pane.add_build(CURRENT)
    assert "already" in pane.message.text()


def test_saved_builds_are_choices(pane: ComparePane, services: Services, state: PlannerState) -> None:
    services.userdb.save_build("My rig", {"gpus": [{"gpu": "rtx-3090"}], "cpu": "ryzen-7-5800x", "ram_gb": 64})
    pane.refresh_choices()
    assert pane.picker.findData("saved:My rig") >= 0
    assert pane.add_build("saved:My rig")
    column = pane.model.columns()[-1]
    assert column.estimate is not None and column.estimate.build.name == "My rig"


def test_recomputes_on_workload_changes(pane: ComparePane, state: PlannerState) -> None:
    before = pane.model.index(ROW_GEN, 0).data(SORT_ROLE)
    state.set_model("qwen2.5-14b")
    after = pane.model.index(ROW_GEN, 0).data(SORT_ROLE)
    assert after < before
    assert all(c.estimate is not None and c.estimate.model.id == "qwen2.5-14b" for c in pane.model.columns())
    state.set_workload(context=65536)
    assert all(c.estimate is not None and c.estimate.workload.context == 65536 for c in pane.model.columns())


def test_current_build_column_follows_the_state(pane: ComparePane, state: PlannerState, services: Services) -> None:
    assert state.set_spec(preset_spec(services.catalog, "2x-rtx3090"))
    current = pane.model.columns()[0]
    assert current.estimate is not None and current.estimate.build.name == state.build.name
    assert current.label.startswith("Current: ")


def test_cells_are_numbers_with_explanations(pane: ComparePane) -> None:
    price = pane.model.index(ROW_PRICE, 1)
    assert price.data().startswith("$") and isinstance(price.data(SORT_ROLE), float)
    tip = pane.model.index(ROW_GEN, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "likely range" in tip and "assumes runtime" in tip
    assert int(pane.model.index(ROW_MAX_CONTEXT, 0).data().replace(",", "")) > 0
    assert pane.model.index(ROW_FIT, 0).data(Qt.ItemDataRole.BackgroundRole) is not None


def test_an_estimate_error_shows_in_the_column(settings) -> None:
    model = CompareTableModel(Money(settings))
    model.set_columns([CompareColumn("x", "Broken", None, "no MXFP4 files")])
    assert model.index(ROW_GEN, 0).data() == "—"
    assert model.index(ROW_GEN, 0).data(Qt.ItemDataRole.ToolTipRole) == "no MXFP4 files"


def test_bar_charts_show_one_bar_per_build(pane: ComparePane, services: Services) -> None:
    pane.add_build(preset_keys(services)[2])
    for plot in pane.bars.plots:
        bars = [i for i in plot.getPlotItem().items if type(i).__name__ == "BarGraphItem"]
        assert len(bars) == 1 and len(bars[0].opts["height"]) == 3
        assert max(bars[0].opts["height"]) > 0
    assert len(pane.bars.plots[0].getAxis("bottom")._tickLevels[0]) == 3


def test_opens_with_two_different_machines(pane: ComparePane, state) -> None:
    builds = [c.estimate.build for c in pane.model.columns()]
    assert len(builds) == 2 and hardware_key(builds[0]) != hardware_key(builds[1])


def test_money_follows_the_currency(state, services, qtbot) -> None:
    services.settings.set("currency", "EUR")
    services.settings.set("usd_exchange_rate", 0.5)
    widget = ComparePane(state, services)
    qtbot.addWidget(widget)
    headers = [widget.model.headerData(r, Qt.Orientation.Vertical) for r in range(widget.model.rowCount())]
    assert "tok/s per €1,000" in headers and "€/Mtok" in headers and not any("$" in h for h in headers)
    price = widget.model.index(ROW_PRICE, 0).data()
    assert price.startswith("€")
    usd = widget.model.columns()[0].estimate.cost.hardware_usd
    assert price == f"€{usd * 0.5:,.0f}"
