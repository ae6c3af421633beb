"""Verdicts, memory bars, headline speed and price say what they mean."""

from __future__ import annotations

import pytest

from planner.catalog.builds import preset_spec
from planner.ui.estimate_tab import EstimateTab
from planner.ui.state import PlannerState


@pytest.fixture
def tab(state: PlannerState, services, qtbot) -> EstimateTab:
    widget = EstimateTab(state, services)
    qtbot.addWidget(widget)
    return widget


def visible_bars(tab: EstimateTab) -> list[str]:
    return [bar.label for bar in tab.results.bars if bar.isVisibleTo(tab)]


def test_only_the_output_layer_in_ram_is_said_plainly(tab: EstimateTab, state: PlannerState, qtbot) -> None:
    state.set_model("gemma-2-9b")
    with qtbot.waitSignal(state.estimate_changed):
        state.set_quant("Q8_0")
    p = state.estimate.placement
    assert p.gpu_layers == p.total_layers and p.cpu_layers == 0
    text = tab.results.verdict.text()
    assert "only the output layer" in text and "the rest on the CPU" not in text


def test_a_mac_that_cannot_hold_the_model_is_told_about_unified_memory(tab, state: PlannerState, qtbot) -> None:
    with qtbot.waitSignal(state.estimate_changed):
        state.set_spec(preset_spec(state.services.catalog, "m3-max-36gb"))
    with qtbot.waitSignal(state.estimate_changed):
        state.set_model("llama-3.3-70b")
    text = tab.results.verdict.text()
    assert "unified memory" in text and "system RAM" not in text
    bars = visible_bars(tab)
    assert not any("System RAM" in label for label in bars)


def test_eight_identical_gpus_share_one_bar_with_the_tensor_split(tab, state: PlannerState, qtbot) -> None:
    with qtbot.waitSignal(state.estimate_changed):
        state.set_spec({**preset_spec(state.services.catalog, "8x-h200"), "split": "tensor"})
    bars = visible_bars(tab)
    assert len(bars) == 1
    assert bars[0].startswith("8 × NVIDIA H200") and "1/8 of each of" in bars[0]


def test_two_gpus_with_a_layer_split_show_each_share(tab, state: PlannerState, qtbot) -> None:
    with qtbot.waitSignal(state.estimate_changed):
        state.set_spec(preset_spec(state.services.catalog, "2x-rtx3090"))
    bars = visible_bars(tab)
    layers = [d.layers for d in state.estimate.placement.devices]
    assert bars[0] == f"2 × NVIDIA GeForce RTX 3090 ({sum(layers)} layers: {layers[0]} + {layers[1]})"


def test_headline_speed_shows_empty_and_full_context(tab: EstimateTab, state: PlannerState, qtbot) -> None:
    text = tab.results.decode.text()
    assert "with an empty context" in text and "with the context full (8,192 tokens" in text
    full = tab.results.decode_full_tok_s
    assert full is not None and state.estimate.decode_tok_s is not None
    assert full < state.estimate.decode_tok_s


def test_price_says_what_it_includes(tab: EstimateTab, state: PlannerState) -> None:
    text = tab.results.price.text()
    assert "GPUs (used)" in text and "CPU" in text and "RAM, board/case, PSU estimated" in text
    form = tab.results.power.parentWidget().layout()
    assert "while generating" in form.labelForField(tab.results.power).text()


def test_value_follows_the_currency(tab: EstimateTab, state: PlannerState, qtbot) -> None:
    state.services.settings.set("currency", "EUR")
    state.services.settings.set("usd_exchange_rate", 0.5)
    with qtbot.waitSignal(state.estimate_changed):
        state.recompute()
    assert "per €1,000" in tab.results.per_1000.text() and "$" not in tab.results.per_1000.text()


def test_a_model_that_does_not_fit_gets_words_not_a_zero_line(tab: EstimateTab, state: PlannerState, qtbot) -> None:
    with qtbot.waitSignal(state.estimate_changed):
        state.set_model("llama-3.3-70b")
    charts = tab.charts
    xs, _ys = charts.decode_curve.getData()
    assert xs is None or len(xs) == 0
    assert "Does not fit" in charts.no_fit.textItem.toPlainText()
    (x_low, x_high), (y_low, _y_high) = charts.speed.getViewBox().viewRange()
    assert y_low >= 0 and x_low <= charts.no_fit.pos().x() <= x_high  # the words are on screen
    with qtbot.waitSignal(state.estimate_changed):
        state.set_model("llama-3.1-8b")
    assert charts.no_fit.textItem.toPlainText() == ""
    assert len(charts.decode_curve.getData()[0]) > 0


def test_the_two_power_figures_say_which_they_are(tab: EstimateTab, state: PlannerState, services, qtbot) -> None:
    from planner.core.cost import power_draw
    from planner.ui.composer import BuildComposer

    composer = BuildComposer(state, services)
    qtbot.addWidget(composer)
    peak, _idle = power_draw(state.build, cpu_busy=True)
    assert composer.power_label.text().startswith(f"Peak draw {peak:,.0f} W (every part at full load)")
    generating = state.estimate.cost.power_load_w
    assert tab.results.power.text().startswith(f"{generating:,.0f} W")
    form = tab.results.power.parentWidget().layout()
    assert form.labelForField(tab.results.power).text() == "Power while generating"
