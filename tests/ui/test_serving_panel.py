"""The Estimate tab's "one user / N users" switch and the throughput chart."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from planner.ui.estimate_tab import EstimateTab
from planner.ui.state import PlannerState


def make_tab(qtbot, state: PlannerState) -> EstimateTab:
    tab = EstimateTab(state, state.services)
    qtbot.addWidget(tab)
    tab.show()
    return tab


def switch_to_many(qtbot, tab: EstimateTab) -> None:
    with qtbot.waitSignal(tab.serving.served, timeout=10_000):
        QTest.mouseClick(tab.serving.many_users, Qt.MouseButton.LeftButton)


def test_one_user_shows_the_context_charts_and_hides_serving_inputs(qtbot, state: PlannerState) -> None:
    tab = make_tab(qtbot, state)
    assert tab.serving.one_user.isChecked()
    assert tab.chart_stack.currentWidget() is tab.charts
    assert not tab.serving.users.isVisible()


def test_n_users_shows_the_throughput_chart_with_the_kv_limit(qtbot, state: PlannerState) -> None:
    state.set_spec({"name": "t", "gpus": [{"gpu": "rtx-3090", "count": 1}], "cpu": "ryzen-7-5800x", "ram_gb": 32})
    state.set_model("llama-3.1-8b")
    state.set_quant("Q4_K_M")
    tab = make_tab(qtbot, state)
    switch_to_many(qtbot, tab)
    assert tab.chart_stack.currentWidget() is tab.serve_chart
    assert tab.serving.users.isVisible() and tab.serving.engine.currentText() == "llama.cpp"
    view = tab.serving.view
    assert view is not None and view.max_users > 1
    assert "per user" in tab.serving.result.text()
    xs, ys = tab.serve_chart.aggregate.getData()
    assert len(xs) > 10 and ys[-1] >= ys[0]
    assert tab.serve_chart.kv_line.value() > 0  # log10 of the KV-capacity limit


def test_typing_a_user_count_and_a_reading_speed_moves_the_results(qtbot, state: PlannerState) -> None:
    state.set_spec({"name": "t", "gpus": [{"gpu": "h100-sxm5-80gb", "count": 1}], "ram_gb": 256})
    state.set_model("llama-3.1-8b")
    tab = make_tab(qtbot, state)
    switch_to_many(qtbot, tab)
    assert tab.serving.engine.currentText() == "vllm"
    first = tab.serving.view.point["per_user_tok_s"]
    with qtbot.waitSignal(tab.serving.served, timeout=10_000):
        tab.serving.users.selectAll()
        QTest.keyClicks(tab.serving.users, "512")
        QTest.keyClick(tab.serving.users, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: tab.serving.view is not None and tab.serving.view.point["users"] == 512, timeout=10_000)
    assert tab.serving.view.point["per_user_tok_s"] < first
    tab.serving.reading.setValue(20.0)
    at_20 = tab.serve_chart.reading_users
    tab.serving.reading.setValue(60.0)
    assert at_20 is not None and (tab.serve_chart.reading_users or 0) < at_20


def test_an_engine_that_cannot_serve_the_model_says_why(qtbot, state: PlannerState) -> None:
    state.set_spec({"name": "t", "gpus": [{"gpu": "rtx-3060-12gb", "count": 1}], "ram_gb": 32})
    state.set_model("llama-3.3-70b")
    tab = make_tab(qtbot, state)
    tab.serving.engine.setCurrentText("vllm")
    tab.serving._fill_formats()
    with qtbot.waitSignal(tab.serving.served, timeout=10_000) as blocker:
        QTest.mouseClick(tab.serving.many_users, Qt.MouseButton.LeftButton)
    assert blocker.args == [None]
    assert "does not fit" in tab.serving.result.text()


def test_the_cs3_preset_gives_the_vendor_answer_not_a_gpu_memory_bar(qtbot, state: PlannerState) -> None:
    tab = make_tab(qtbot, state)
    state.set_model("llama-3.3-70b")
    with qtbot.waitSignal(state.estimate_failed, timeout=5_000) as blocker:
        assert state.set_spec({"name": "Cerebras CS-3", "dataflow": {"system": "cerebras-cs3", "count": 1}})
    assert "not a GPU" in blocker.args[0] and "2,314 tok/s per user" in blocker.args[0]
    assert tab.serving.engine.count() == 0
    assert "Vendor-published" in tab.results.verdict.text() and not tab.results.bars_box.isVisible()
    assert "2,314" in tab.results.error.text()
    state.set_spec({"name": "t", "gpus": [{"gpu": "rtx-3090", "count": 1}], "ram_gb": 64})
    assert tab.results.bars_box.isVisible()
