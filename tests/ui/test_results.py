"""The Estimate tab shows fit, memory, speeds, measurements and cost, and updates live."""

from __future__ import annotations

import pytest

from planner.catalog.builds import preset_spec
from planner.catalog.user_catalog import UserCatalog
from planner.ui.estimate_tab import EstimateTab
from planner.ui.state import PlannerState


@pytest.fixture
def tab(state: PlannerState, services, qtbot) -> EstimateTab:
    widget = EstimateTab(state, services)
    qtbot.addWidget(widget)
    return widget


def test_initial_numbers_are_shown(tab: EstimateTab) -> None:
    assert "Fits fully" in tab.results.verdict.text()
    assert "tok/s" in tab.results.decode.text()
    assert tab.results.bars[0].isVisibleTo(tab)


def test_bigger_model_offloads(tab: EstimateTab, state: PlannerState, qtbot) -> None:
    with qtbot.waitSignal(state.estimate_changed):
        state.set_model("qwen2.5-32b")
    assert "Partial offload" in tab.results.verdict.text()
    assert any("System RAM" in bar.label for bar in tab.results.bars if bar.isVisibleTo(tab))


def test_measured_figures_link_their_sources(tab: EstimateTab, state: PlannerState, qtbot) -> None:
    with qtbot.waitSignal(state.estimate_changed):
        state.set_spec(preset_spec(state.services.catalog, "rtx3090-build"))
    with qtbot.waitSignal(state.estimate_changed):
        state.set_model("llama-3-8b")
    assert 'href="https://' in tab.results.measured.text()


def test_context_slider_updates_numbers_and_charts(tab: EstimateTab, state: PlannerState, qtbot) -> None:
    with qtbot.waitSignal(state.estimate_changed):
        tab.workload.context.setValue(14)  # 16K
    assert state.workload.context == 16384
    xs, ys = tab.charts.decode_curve.getData()
    assert len(xs) >= 5 and all(y > 0 for y in ys)
    assert ys[0] >= ys[-1]


def test_a_custom_model_name_is_shown_as_text_not_markup(tab: EstimateTab, state: PlannerState, qtbot) -> None:
    """A name the user typed reaches the rich-text *Why these numbers?* panel through a warning."""
    name = "<b>Tom & Jerry's</b> model"
    shipped = state.services.catalog.model_rows["llama-3-8b"]
    UserCatalog(state.services.userdb.path).add_model({**shipped, "id": "tom-and-jerry", "name": name})
    state.reload_user_catalog()
    with qtbot.waitSignal(state.estimate_changed):
        state.set_model("tom-and-jerry")
    with qtbot.waitSignal(state.estimate_changed):
        state.set_workload(context=shipped["max_context"] * 2)  # past its training context: a warning names it
    tab.results.why_button.setChecked(True)
    assert f"{name} was trained for" in tab.results.why.toPlainText()


def test_why_panel_lists_assumptions(tab: EstimateTab) -> None:
    tab.results.why_button.setChecked(True)
    assert "llama.cpp" in tab.results.why.toPlainText()
