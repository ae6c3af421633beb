"""The Plan pane: search, filters, saving a result, the Pareto chart and the hardware floor."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from planner.catalog.builds import preset_spec
from planner.core.placement import Fit
from planner.planning.hardware_floor import ARTICLE_CLAIMS
from planner.planning.search import Plan, PlanResult
from planner.ui.floor_table import COL_VERDICT, FloorTableModel
from planner.ui.plan_model import COL_GEN, COL_RANK, COL_WHY, PlanTableModel
from planner.ui.plan_pane import PlanPane
from planner.ui.services import Services
from planner.ui.state import PlannerState


@pytest.fixture
def pane(qtbot, state: PlannerState, services: Services) -> PlanPane:
    widget = PlanPane(state, services)
    widget.resize(1280, 800)
    qtbot.addWidget(widget)
    return widget


def search(qtbot, pane: PlanPane) -> Plan:
    with qtbot.waitSignal(pane.plan_shown, timeout=10_000) as blocker:
        pane.search()
    return blocker.args[0]


def shown(pane: PlanPane) -> list[PlanResult]:
    return [pane.model.row_at(i).result for i in range(pane.model.rowCount())]


def choose(combo, data: object) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def test_the_pane_starts_from_the_states_model_and_workload(pane: PlanPane, state: PlannerState) -> None:
    request = pane.request()
    assert (request.model, request.quant) == (state.model_id, state.quant)
    assert (request.context, request.kv_cache) == (state.workload.context, state.workload.kv_cache)
    state.set_model("qwen2.5-14b")
    state.set_workload(context=16384)
    assert (pane.request().model, pane.request().context) == ("qwen2.5-14b", 16384)


def test_search_returns_rows_that_meet_every_filter(qtbot, pane: PlanPane) -> None:
    choose(pane.model_combo, "llama-3.1-8b")
    pane.budget.setValue(2500)
    pane.min_tok_s.setValue(30)
    pane.min_prompt_tok_s.setValue(500)
    pane.max_power.setValue(600)
    pane.gpu_only.setChecked(True)
    choose(pane.vendor, "NVIDIA")
    plan = search(qtbot, pane)
    results = shown(pane)
    assert results and len(results) == plan.qualifying
    for r in results:
        assert r.price_usd <= 2500 and r.power_w <= 600
        assert (r.decode_tok_s or 0) >= 30 and (r.prefill_tok_s or 0) >= 500
        assert r.fit == Fit.GPU and "NVIDIA" in r.vendors and "used" not in r.price_kinds
    assert [r.price_usd for r in results] == sorted(r.price_usd for r in results)  # cheapest first
    assert pane.model.index(0, COL_RANK).data() == "1"
    assert "of" in pane.message.text() and "meet every filter" in pane.message.text()


def test_changing_the_budget_and_searching_again_updates_the_rows(qtbot, pane: PlanPane) -> None:
    pane.budget.setValue(1000)
    search(qtbot, pane)
    cheap = shown(pane)
    pane.budget.setValue(4000)
    search(qtbot, pane)
    more = shown(pane)
    assert cheap and len(more) > len(cheap)
    assert max(r.price_usd for r in cheap) <= 1000 < max(r.price_usd for r in more) <= 4000


def test_ranking_by_tok_s_per_dollar(qtbot, pane: PlanPane) -> None:
    choose(pane.rank_combo, "perf-per-dollar")
    search(qtbot, pane)
    values = [r.estimate.cost.tok_s_per_1000_usd or 0.0 for r in shown(pane)]
    assert values == sorted(values, reverse=True)


def test_only_the_latest_search_is_shown(qtbot, pane: PlanPane) -> None:
    pane.budget.setValue(1000)
    pane.search()
    pane.budget.setValue(3000)
    plan = search(qtbot, pane)
    qtbot.waitUntil(lambda: pane._worker is None, timeout=10_000)
    assert plan.request.budget_usd == pane.plan.request.budget_usd == 3000


def test_saving_a_result_creates_a_saved_build(qtbot, pane: PlanPane, services: Services) -> None:
    search(qtbot, pane)
    assert not pane.save_button.isEnabled()
    pane.view.selectRow(2)
    result = pane.selected_result()
    assert result is not None and pane.save_button.isEnabled()
    asked: list[str] = []
    pane.ask_name = lambda default: asked.append(default) or "Planned box"
    with qtbot.waitSignal(pane.build_saved) as blocker:
        pane.save_button.click()
    assert blocker.args == ["Planned box"] and asked == [result.name]
    saved = {b["name"]: b for b in services.userdb.builds()}
    assert saved["Planned box"] == {**result.spec, "name": "Planned box"}
    pane.save_button.click()  # the same name again
    assert "already exists" in pane.notice.text()
    assert [b["name"] for b in services.userdb.builds()] == ["Planned box"]


def test_cancelling_the_name_saves_nothing(qtbot, pane: PlanPane, services: Services) -> None:
    search(qtbot, pane)
    pane.view.selectRow(0)
    pane.ask_name = lambda default: None
    pane.save_button.click()
    assert services.userdb.builds() == []


def test_use_as_current_build_changes_the_state(qtbot, pane: PlanPane, state: PlannerState) -> None:
    search(qtbot, pane)
    pane.view.selectRow(3)
    result = pane.selected_result()
    assert result is not None and result.name != state.build.name
    with qtbot.waitSignal(state.build_changed):
        pane.use_button.click()
    assert state.build.name == result.name and state.spec == result.spec
    assert pane.chart.current_xy is not None
    assert pane.chart.current_xy[1] == pytest.approx(result.decode_tok_s)


def test_an_impossible_target_shows_the_message_and_suggestions(qtbot, pane: PlanPane) -> None:
    choose(pane.model_combo, "llama-3.1-405b")
    pane.budget.setValue(1000)
    pane.min_tok_s.setValue(50)
    plan = search(qtbot, pane)
    assert plan.impossible and plan.suggestions
    text = pane.message.text()
    assert "No build in the catalog runs Llama 3.1 405B" in text
    assert "Cheapest build that runs it at all" in text
    assert pane.model.rowCount() == len(plan.suggestions)
    assert pane.model.index(0, COL_RANK).data() == "try"
    assert "Suggestion" in pane.model.index(0, COL_WHY).data(Qt.ItemDataRole.ToolTipRole)


def test_a_quant_the_model_has_no_files_for_says_so(qtbot, pane: PlanPane) -> None:
    choose(pane.model_combo, "llama-3.1-8b")
    pane.quant_combo.setCurrentText("MXFP4")
    with qtbot.waitSignal(pane.search_failed, timeout=10_000):
        pane.search()
    assert "Cannot plan" in pane.message.text() and "MXFP4" in pane.message.text()


def test_pareto_chart_draws_the_frontier_and_the_current_build(qtbot, pane: PlanPane, state: PlannerState) -> None:
    plan = search(qtbot, pane)
    chart = pane.chart
    assert len(chart.scatter.points()) == len(plan.results)
    assert len(chart.frontier) >= 3 and len(chart.frontier_points.points()) == len(chart.frontier)
    xs, ys = chart.frontier_curve.getData()
    assert len(xs) == len(chart.frontier) and list(ys) == sorted(ys)  # faster as it gets dearer
    assert len(chart.current_marker.points()) == 1
    assert "current build" in chart.caption.text()
    before = chart.current_xy
    assert state.set_spec(preset_spec(state.services.catalog, "2x-rtx3090"))
    assert chart.current_xy is not None and chart.current_xy != before


def test_clicking_a_point_selects_its_row(qtbot, pane: PlanPane) -> None:
    search(qtbot, pane)
    spot = pane.chart.scatter.points()[5]
    pane.chart.scatter.sigClicked.emit(pane.chart.scatter, [spot], None)
    result = pane.selected_result()
    assert result is not None and result is pane.model.row_at(int(spot.data())).result
    assert len(pane.chart.selected.points()) == 1


def test_the_floor_table_fills_after_its_worker(qtbot, pane: PlanPane) -> None:
    assert pane.floor.model.rowCount() == 0
    with qtbot.waitSignal(pane.floor.floor_ready, timeout=20_000):
        pane.floor.start()
    assert "Computing" not in pane.floor.status.text() and pane.floor.progress.isHidden()
    model = pane.floor.model
    assert model.rowCount() == sum(max(len(c.model_ids), 1) for c in ARTICLE_CLAIMS)
    verdicts = [model.index(r, COL_VERDICT).data() for r in range(model.rowCount())]
    assert verdicts[0] == "holds" and any(v.startswith("optimistic") for v in verdicts)


def test_showing_the_pane_searches_and_computes_the_floor(qtbot, pane: PlanPane) -> None:
    with qtbot.waitSignals([pane.plan_shown, pane.floor.floor_ready], timeout=20_000):
        pane.show()
    assert pane.model.rowCount() > 0 and pane.floor.model.rowCount() > 0


def test_speed_tooltip_gives_the_range(qtbot, pane: PlanPane) -> None:
    search(qtbot, pane)
    tip = pane.model.index(0, COL_GEN).data(Qt.ItemDataRole.ToolTipRole)
    assert "likely range" in tip and "tok/s generation" in tip


def test_models_pass_qmodeltester(qtbot, qtmodeltester, pane: PlanPane) -> None:
    search(qtbot, pane)
    qtmodeltester.check(pane.model)
    qtmodeltester.check(pane.proxy)
    with qtbot.waitSignal(pane.floor.floor_ready, timeout=20_000):
        pane.floor.start()
    qtmodeltester.check(pane.floor.model)


def test_empty_models_pass_qmodeltester(qtmodeltester) -> None:
    qtmodeltester.check(PlanTableModel())
    qtmodeltester.check(FloorTableModel())
