"""Plan starts from useful defaults, says "may not meet", and never goes stale."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from planner.planning.search import Plan, Planner, PlanRequest
from planner.ui.composer import BuildComposer
from planner.ui.plan_model import COL_WHY
from planner.ui.plan_pane import PlanPane
from planner.ui.services import Services
from planner.ui.state import PlannerState


@pytest.fixture
def pane(qtbot, state: PlannerState, services: Services) -> PlanPane:
    widget = PlanPane(state, services)
    qtbot.addWidget(widget)
    return widget


def search(qtbot, pane: PlanPane) -> Plan:
    with qtbot.waitSignal(pane.plan_shown, timeout=20_000) as blocker:
        pane.search()
    return blocker.args[0]


def test_defaults_ask_for_reading_speed_and_the_composers_prices(pane: PlanPane, state, services, qtbot) -> None:
    assert pane.min_tok_s.value() == 10.0
    assert pane.request().used is True  # the composer's "Used prices where known"
    composer = BuildComposer(state, services)
    qtbot.addWidget(composer)
    composer.price_kind.setFocus()
    QTest.keyClick(composer.price_kind, Qt.Key.Key_Down)  # New prices
    assert composer.price_kind.currentData() == "new"
    assert pane.request().used is False


def test_seventy_b_plan_does_not_open_with_crawling_cpu_boxes(pane: PlanPane, state, qtbot) -> None:
    state.set_model("llama-3.3-70b")
    plan = search(qtbot, pane)
    assert plan.results and all((r.decode_tok_s or 0) >= 10 for r in plan.results)
    assert all(r.kind != "cpu-only" for r in plan.results[:5])


def test_a_range_below_the_target_may_not_meet_it(catalog) -> None:
    from planner.calibration.shipped import load_calibration
    from tests.ui.conftest import ROOT

    planner = Planner(catalog, load_calibration(ROOT / "resources" / "calibration.json"))
    plan = planner.plan(PlanRequest(model="llama-3.1-8b", min_tok_s=20, limit=None))
    unsure = [r for r in plan.results if r.estimate.decode_range and r.estimate.decode_range[0] < 20]
    assert unsure, "expected some results whose likely range starts below 20 tok/s"
    for result in unsure:
        assert any("may not meet the 20 tok/s" in line for line in result.why)
        assert not any("meets the 20 tok/s" in line and "may not" not in line for line in result.why)


def test_plan_recomputes_after_preferences(pane: PlanPane, state: PlannerState, services, qtbot) -> None:
    before = search(qtbot, pane).results[0].estimate.cost.usd_per_mtok
    services.settings.set("electricity_usd_per_kwh", 0.60)
    with qtbot.waitSignal(pane.plan_shown, timeout=20_000) as blocker:
        state.apply_preferences()
    assert blocker.args[0].results[0].estimate.cost.usd_per_mtok > before


def test_plan_searches_a_build_saved_later(pane: PlanPane, state: PlannerState, services, qtbot) -> None:
    search(qtbot, pane)
    services.userdb.save_build("Later box", {"gpus": [{"gpu": "RTX 4090"}], "cpu": "ryzen-7-5800x"})
    with qtbot.waitSignal(pane.plan_shown, timeout=20_000) as blocker:
        pane.inputs_changed()  # what the window does on the library's builds_changed
    assert any(r.kind == "saved" and r.name == "Later box" for r in blocker.args[0].results)


def test_plan_recomputes_after_custom_hardware(pane: PlanPane, state: PlannerState, services, qtbot) -> None:
    search(qtbot, pane)
    with qtbot.waitSignal(pane.plan_shown, timeout=20_000):
        state.catalog_changed.emit()
    text = pane.model.data(pane.model.index(0, COL_WHY), Qt.ItemDataRole.DisplayRole)
    assert text
