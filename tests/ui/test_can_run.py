"""The "What can it run" pane and its table model."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from planner.core.placement import Fit
from planner.ui.can_run_model import (
    COL_FIT,
    COL_GEN,
    COL_MEMORY,
    COL_QUANT,
    FIT_TINTS,
    ROW_ROLE,
    SORT_ROLE,
    CanRunFilterProxy,
    CanRunTableModel,
)
from planner.ui.can_run_pane import CanRunPane
from planner.ui.services import Services
from planner.ui.state import PlannerState


@pytest.fixture
def pane(qtbot, state: PlannerState, services: Services) -> CanRunPane:
    widget = CanRunPane(state, services)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.model.rowCount() > 0, timeout=10_000)
    return widget


def visible(pane: CanRunPane, col: int, role: int = ROW_ROLE) -> list:
    proxy = pane.proxy
    return [proxy.index(r, col).data(role) for r in range(proxy.rowCount())]


def test_models_pass_qmodeltester(qtmodeltester, pane: CanRunPane) -> None:
    qtmodeltester.check(pane.model)
    qtmodeltester.check(pane.proxy)


def test_empty_model_passes_qmodeltester(qtmodeltester) -> None:
    model = CanRunTableModel()
    proxy = CanRunFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)


def test_every_model_and_quant_is_a_row_but_mxfp4_only_for_moe(pane: CanRunPane, services: Services) -> None:
    pairs = {(r.model.id, r.quant.name) for r in map(pane.model.row_at, range(pane.model.rowCount()))}
    assert ("llama-3.1-8b", "MXFP4") not in pairs
    assert ("gpt-oss-20b", "MXFP4") in pairs
    assert ("llama-3.1-8b", "Q4_K_M") in pairs
    assert len({m for m, _ in pairs}) == len(services.catalog.model_rows)


def test_rows_match_the_estimator(pane: CanRunPane, services: Services, state: PlannerState) -> None:
    pane.search.setText("llama 3.1 8b")
    pane.set_quant_filter({"Q4_K_M"})
    row = pane.proxy.index(0, 0).data(ROW_ROLE)
    est = state.estimate_for(state.build)
    assert (row.model.id, row.quant.name) == (est.model.id, est.quant.name)
    assert row.fit == est.fit and row.cell.gpu_layers == est.placement.gpu_layers
    assert row.cell.decode_tok_s == pytest.approx(est.decode_tok_s, rel=1e-6)
    assert row.usd_per_mtok == pytest.approx(est.cost.usd_per_mtok, rel=1e-6)
    assert pane.model.assumptions == est.assumptions


def test_popular_quants_by_default_and_all_on_request(pane: CanRunPane) -> None:
    assert {e.quant.name for e in visible(pane, 0)} <= {
        "Q4_K_M",
        "Q5_K_M",
        "Q6_K",
        "Q8_0",
        "F16",
        "MXFP4",
        "IQ4_XS",
    } | {"Q3_K_M"}
    pane.set_quant_filter(None)
    assert pane.proxy.rowCount() == pane.model.rowCount()
    assert pane.quant_button.text() == "Quants: all"
    pane.set_quant_filter({"Q8_0"})
    assert {e.quant.name for e in visible(pane, 0)} == {"Q8_0"}


def test_search_filters_by_model_name(pane: CanRunPane) -> None:
    pane.search.setText("gemma")
    names = {e.model.name for e in visible(pane, 0)}
    assert names and all("gemma" in n.lower() for n in names)


def test_gpu_only_filter_hides_partial_rows(pane: CanRunPane) -> None:
    fits = {e.fit for e in visible(pane, 0)}
    assert Fit.PARTIAL in fits and Fit.NONE in fits  # an RTX 3060 cannot hold everything
    pane.gpu_only.setChecked(True)
    assert {e.fit for e in visible(pane, 0)} == {Fit.GPU}


def test_sorting_by_generation_speed_is_numeric(pane: CanRunPane) -> None:
    pane.set_quant_filter(None)
    pane.view.sortByColumn(COL_GEN, Qt.SortOrder.DescendingOrder)
    speeds = visible(pane, COL_GEN, SORT_ROLE)
    assert speeds == sorted(speeds, reverse=True)
    assert isinstance(speeds[0], float) and speeds[0] > 100  # "1,2xx" would sort below "9.5" as text
    pane.view.sortByColumn(COL_MEMORY, Qt.SortOrder.AscendingOrder)
    memory = visible(pane, COL_MEMORY, SORT_ROLE)
    assert memory == sorted(memory)


def test_changing_the_context_updates_the_table(qtbot, pane: CanRunPane, state: PlannerState) -> None:
    pane.search.setText("llama 3.1 8b")
    before = {e.quant.name: e.cell.kv_bytes for e in visible(pane, 0)}
    with qtbot.waitSignal(pane.table_updated, timeout=10_000):
        state.set_workload(context=32768)
    after = {e.quant.name: e.cell.kv_bytes for e in visible(pane, 0)}
    assert after.keys() == before.keys()
    assert all(after[q] > before[q] for q in before)
    assert all(e.context == 32768 for e in visible(pane, 0))


def test_rapid_changes_apply_only_the_latest(qtbot, pane: CanRunPane, state: PlannerState) -> None:
    pane.request_recompute()
    state.set_workload(context=16384)
    pane.request_recompute()
    state.set_workload(kv_cache="q8_0")
    with qtbot.waitSignal(pane.table_updated, timeout=10_000):
        pane.request_recompute()
    qtbot.waitUntil(lambda: pane._worker is None, timeout=10_000)
    assert all(e.context == 16384 for e in visible(pane, 0))
    assert any("KV cache q8_0" in a for a in pane.model.assumptions)


def test_a_bigger_build_recomputes(qtbot, pane: CanRunPane, state: PlannerState) -> None:
    spec = {"name": "Two 3090s", "gpus": [{"gpu": "rtx-3090", "count": 2}], "cpu": "ryzen-7-5800x", "ram_gb": 64}
    with qtbot.waitSignal(pane.table_updated, timeout=10_000):
        assert state.set_spec(spec)
    assert pane.shown_build is not None and pane.shown_build.name == "Two 3090s"
    assert any(e.fit == Fit.GPU and e.model.id == "gemma-3-27b" for e in visible(pane, 0))


def test_choosing_a_model_alone_does_not_recompute(qtbot, pane: CanRunPane, state: PlannerState) -> None:
    generation = pane._generation
    state.set_model("qwen3-8b")
    qtbot.waitUntil(lambda: not pane._debounce.isActive())
    assert pane._generation == generation


def test_double_click_selects_model_and_quant(qtbot, pane: CanRunPane, state: PlannerState) -> None:
    pane.search.setText("qwen3-8b")
    pane.set_quant_filter({"Q8_0"})
    assert pane.proxy.rowCount() == 1
    pane.show()
    qtbot.waitExposed(pane)
    rect = pane.view.visualRect(pane.proxy.index(0, COL_QUANT))
    # QTest's double click alone skips the press the view waits for; a real one starts with a click
    qtbot.mouseClick(pane.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(pane.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert (state.model_id, state.quant) == ("qwen3-8b", "Q8_0")


def test_cells_are_tinted_by_fit_and_explain_themselves(pane: CanRunPane) -> None:
    index = pane.proxy.index(0, COL_GEN)
    est = index.data(ROW_ROLE)
    assert index.data(Qt.ItemDataRole.BackgroundRole) == FIT_TINTS[est.fit]
    assert FIT_TINTS[est.fit].alpha() < 128  # a tint, so text stays readable on dark palettes
    tip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert "likely range" in tip and "assumes runtime: llama.cpp" in tip
    assert pane.proxy.index(0, COL_FIT).data() in ("GPU", "partial", "CPU only", "does not fit")


def test_measured_figures_appear_in_tooltips(pane: CanRunPane) -> None:
    pane.set_quant_filter(None)
    measured = [i for i in range(pane.model.rowCount()) if pane._measured_for(pane.model.row_at(i))]
    assert measured, "the catalog has public RTX 3060 measurements"
    tip = pane.model.index(measured[0], COL_GEN).data(Qt.ItemDataRole.ToolTipRole)
    assert "measured" in tip and "tok/s" in tip
