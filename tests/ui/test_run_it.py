"""The Run-it panel: llama.cpp settings in, ready-to-paste commands out, copy, best settings, chart."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from planner.core.llama_command import parse_llama_command
from planner.ui.run_it_panel import RunItPanel
from planner.ui.services import Services
from planner.ui.state import DEFAULT_SPEC, PlannerState


@pytest.fixture
def panel(qtbot, state: PlannerState, services: Services) -> RunItPanel:
    state.set_spec({**DEFAULT_SPEC, "ram_gb": 96})
    state.set_model("gpt-oss-120b")
    state.set_quant("MXFP4")
    widget = RunItPanel(state, services)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.chart.points != [], timeout=10_000)
    return widget


def test_the_server_command_is_the_current_settings(panel: RunItPanel, state: PlannerState) -> None:
    text = panel.command_texts["llama_server"].toPlainText()
    assert text.startswith("llama-server ")
    parsed, _ = parse_llama_command(text)
    assert parsed.context == state.settings.context
    assert "ollama serve" in panel.command_texts["ollama"].toPlainText()


def test_typing_experts_in_ram_updates_command_and_marker(qtbot, panel: RunItPanel, state: PlannerState) -> None:
    panel.offload.clear()
    QTest.keyClicks(panel.offload, "20")
    QTest.keyClick(panel.offload, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: state.settings.n_cpu_moe == 20)
    assert "--n-cpu-moe 20" in panel.command_texts["llama_server"].toPlainText()
    qtbot.waitUntil(lambda: list(panel.chart.speed_marker.data["x"]) == [20.0], timeout=10_000)
    assert panel.chart.knob == "n_cpu_moe"
    assert len(panel.chart.points) == state.services.catalog.model("gpt-oss-120b").n_layers + 1


def test_copy_puts_the_shown_command_on_the_clipboard(qtbot, panel: RunItPanel) -> None:
    panel.commands.setCurrentIndex(1)
    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == panel.command_texts["llama_cli"].toPlainText()
    assert QGuiApplication.clipboard().text().startswith("llama-cli ")
    assert "Copied" in panel.status.text()


def test_a_quantized_v_cache_without_flash_attention_is_refused_with_a_message(
    qtbot, panel: RunItPanel, state: PlannerState
) -> None:
    panel.cache_v.setCurrentText("q8_0")
    qtbot.waitUntil(lambda: state.settings.cache_type_v == "q8_0")
    panel.flash.setCurrentText("off")
    assert "flash attention" in panel.status.text()
    assert state.settings.flash_attn != "off"


def test_find_best_settings_applies_a_fitting_choice(qtbot, panel: RunItPanel, state: PlannerState) -> None:
    qtbot.mouseClick(panel.best_button, Qt.MouseButton.LeftButton)
    assert not panel.best_button.isEnabled()
    qtbot.waitUntil(lambda: panel.best_button.isEnabled(), timeout=20_000)
    assert "Best settings" in panel.status.text(), panel.status.text()
    assert state.estimate is not None and state.estimate.placement.verdict != "none"


def test_find_best_settings_says_when_nothing_fits(qtbot, panel: RunItPanel, state: PlannerState) -> None:
    state.set_spec({**DEFAULT_SPEC, "ram_gb": 16})
    qtbot.mouseClick(panel.best_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.best_button.isEnabled(), timeout=20_000)
    assert "no llama.cpp settings fit" in panel.status.text()


def test_a_dense_model_offers_gpu_layers(qtbot, panel: RunItPanel, state: PlannerState) -> None:
    state.set_model("llama-3.1-8b")
    state.set_quant("Q4_K_M")
    assert panel.offload_label.text().startswith("GPU layers")
    qtbot.waitUntil(lambda: panel.chart.knob == "gpu_layers", timeout=10_000)


def test_the_chart_says_from_how_many_experts_in_ram_everything_loads(panel: RunItPanel) -> None:
    title = panel.chart.speed.plotItem.titleLabel.text
    fitting = [p.settings.n_cpu_moe for p in panel.chart.points if p.fits]
    assert fitting and f"from {min(fitting)} in RAM" in title
    speeds = [p.decode_tok_s for p in panel.chart.points if p.fits]
    assert speeds == sorted(speeds, reverse=True)  # DDR4 desktop: each block moved to RAM costs speed
