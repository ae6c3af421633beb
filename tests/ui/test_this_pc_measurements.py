"""This PC with measurements: the RAM probe run from the pane, llama-bench runs (with cancel),
PCIe warnings, measured next to estimated (table, chart, Estimate, What-can-it-run)."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from planner.hardware.detect import Detection
from planner.hardware.nvidia import NvidiaProbe
from planner.hardware.pcie import PcieProbe
from planner.hardware.probe import CpuInfo, MemoryInfo, found
from planner.hardware.recorded import RecordedNvml, load_recording
from planner.measure.llama_bench import parse_bench_json, to_measurements
from planner.measure.ram import MIB
from planner.ui.can_run_model import COL_GEN, MEASURED_MARK
from planner.ui.can_run_pane import CanRunPane
from planner.ui.measured_model import COL_ESTIMATED, COL_MEASURED, COL_TEST
from planner.ui.results_panel import ResultsPanel
from planner.ui.services import Services
from planner.ui.state import PlannerState
from planner.ui.this_pc_pane import ThisPcPane

TESTS = Path(__file__).resolve().parents[1]
FAKES = TESTS / "fixtures" / "measure"
RECORDED = TESTS / "data" / "measure" / "llama_bench_rtx4080.json"
GIB = 1024**3
CPU = CpuInfo("AMD Ryzen 7 7800X3D 8-Core Processor", "X86_64", "AuthenticAMD", 8, 16, ("avx2",))
RAM = MemoryInfo(64 * GIB, 50 * GIB, speed_mts=6000, channels=2)


def rtx4080_at_x4(_timeout_s: float = 1.0) -> Detection:
    """An RTX 4080 (recorded NVML figures) whose link trained at x4: a common hidden slowdown."""
    recording = load_recording(TESTS / "fixtures" / "hardware" / "nvml" / "rtx4090.json")
    recording["devices"][0].update(
        curr_pcie_link_generation=4, curr_pcie_link_width=4, max_pcie_link_generation=4, max_pcie_link_width=16
    )
    gpus = NvidiaProbe(lambda: RecordedNvml(recording)).run()
    pcie = PcieProbe(lambda: RecordedNvml(recording), "Windows").run()
    return Detection((gpus, pcie, found("cpu", CPU, "test"), found("memory", RAM, "test")))


@pytest.fixture
def pane(qtbot, state: PlannerState, services: Services) -> Callable[[], ThisPcPane]:
    def make() -> ThisPcPane:
        services.detect = rtx4080_at_x4
        widget = ThisPcPane(state, services, sampler_factory=lambda *_: _NoTelemetry(), detect_timeout_s=1.0)
        qtbot.addWidget(widget)
        with qtbot.waitSignal(widget.detection_finished, timeout=10_000):
            widget.show()
        return widget

    return make


class _NoTelemetry:
    gpu_indices: tuple[int, ...] = ()
    running = False

    def start(self) -> None:
        self.running = True

    def stop(self, timeout_s: float = 2.0) -> None:
        self.running = False

    def samples(self) -> list[object]:
        return []


def store_bench_run(services: Services, state: PlannerState, factor: float = 1.0) -> None:
    rows = to_measurements(parse_bench_json(RECORDED.read_text()), services.catalog)
    for row in rows:
        object.__setattr__(row, "tokens_per_s", row.tokens_per_s * factor)
    services.measurements.add_run(rows)
    state.refresh_measurements()


def test_pcie_link_and_its_warning_are_shown(qtbot, pane) -> None:
    widget = pane()
    text = widget.summary.toPlainText()
    assert "PCIe links" in text and "PCIe 4.0 x4 now, up to PCIe 4.0 x16" in text
    assert "runs at x4 of x16 lanes" in text


def test_ram_probe_runs_from_the_button_and_is_shown_and_stored(qtbot, pane, services: Services) -> None:
    widget = pane()
    assert "RAM bandwidth: not measured yet" in widget.summary.toPlainText()
    widget.measure.ram_seconds, widget.measure.ram_buffer_bytes = 0.3, 64 * MIB
    with qtbot.waitSignal(widget.measure.measurement_finished, timeout=20_000) as blocker:
        qtbot.mouseClick(widget.measure.buttons["ram"], Qt.MouseButton.LeftButton)
        assert widget.measure.strip.progress.isVisible() and widget.measure.strip.cancel_button.isVisible()
    result = blocker.args[0]
    assert services.measurements.latest_ram() == result
    assert result.theoretical_gbs == 96.0  # 2 channels x 6000 MT/s x 8 bytes
    summary = widget.summary.toPlainText()
    assert f"RAM bandwidth: {result.gbs:.1f} GB/s measured" in summary and "96 GB/s theoretical" in summary
    assert "GB/s with" in widget.measure.strip.status.text()
    assert not widget.measure.strip.progress.isVisible()


def test_a_llama_bench_run_fills_the_table_and_the_chart(qtbot, pane, gguf_file: Path) -> None:
    widget = pane()
    with qtbot.waitSignal(widget.measure.measurement_finished, timeout=20_000):
        widget.measure.start_llama_bench(gguf_file, binary=FAKES / "llama-bench")
    model = widget.measure.model
    assert model.rowCount() == 2
    tests = {model.index(r, COL_TEST).data(): r for r in range(2)}
    tg = tests["tg128"]
    assert model.index(tg, COL_MEASURED).data() == "119"
    assert model.index(tg, COL_ESTIMATED).data() not in ("—", None)
    assert widget.measure.chart.points == 2
    assert "Stored 2 measurements" in widget.measure.strip.status.text()


def test_cancel_stops_llama_bench_and_stores_nothing(qtbot, pane, services: Services, gguf_file: Path) -> None:
    widget = pane()
    with qtbot.waitSignal(widget.measure.measurement_started):
        widget.measure.start_llama_bench(gguf_file, binary=FAKES / "llama-bench-hangs")
    with qtbot.waitSignal(widget.measure.measurement_failed, timeout=20_000) as blocker:
        qtbot.mouseClick(widget.measure.strip.cancel_button, Qt.MouseButton.LeftButton)
    assert "cancelled" in blocker.args[0]
    assert services.measurements.measurements() == []
    assert widget.measure.buttons["bench"].isEnabled()


def test_estimate_shows_this_pcs_runs_and_the_unadjusted_figure_is_one_click_away(
    qtbot, pane, state: PlannerState, services: Services
) -> None:
    widget = pane()
    results = ResultsPanel(state, services)
    qtbot.addWidget(results)
    state.set_quant("Q4_K_M")
    state.set_model("qwen2.5-7b")
    widget.use_as_current_build()
    store_bench_run(services, state, factor=0.5)
    assert state.this_pc_estimate is not None and state.this_pc_estimate.adjusted
    assert "measured on this PC" in results.measured.text() and "-ngl 99" in results.measured.text()
    assert results.adjust.isVisibleTo(results) and results.adjust.isChecked()
    adjusted = state.estimate.decode_tok_s if state.estimate else None
    with qtbot.waitSignal(state.estimate_changed):
        results.adjust.click()
    assert state.estimate is not None and state.estimate.decode_tok_s == state.this_pc_estimate.unadjusted.decode_tok_s
    assert adjusted is not None and adjusted < state.estimate.decode_tok_s


def test_what_can_it_run_marks_rows_measured_on_this_pc(qtbot, pane, state: PlannerState, services: Services) -> None:
    widget = pane()
    table = CanRunPane(state, services)
    qtbot.addWidget(table)
    store_bench_run(services, state)
    widget.use_as_current_build()
    qtbot.waitUntil(lambda: table.shown_build is not None and table.shown_build.name == "This PC", timeout=30_000)
    model = table.model
    marked = [r for r in range(model.rowCount()) if str(model.index(r, COL_GEN).data()).startswith(MEASURED_MARK)]
    assert marked
    row = model.row_at(marked[0])
    assert (row.model.id, row.quant.name) == ("qwen2.5-7b", "Q4_K_M")
    tip = model.index(marked[0], COL_GEN).data(Qt.ItemDataRole.ToolTipRole)
    assert "this PC (llama-bench, 2025-04-24)" in tip


def test_community_csv_import_shows_in_the_table(qtbot, pane, tmp_path: Path, services: Services) -> None:
    widget = pane()
    csv_file = tmp_path / "theirs.csv"
    csv_file.write_text(
        "device,source_url,hardware,backend,n_gpus,model,params_b,quant,model_size_gib,test,tokens_per_s,notes,as_of\n"
        "NVIDIA GeForce RTX 3090,https://example.org/run,3090,cuda,1,llama-3.1-8b,8.03,Q4_K_M,4.58,tg128,112.5,,2026-11-01\n"
    )
    widget.measure.import_csv(csv_file)
    assert widget.measure.model.rowCount() == 1
    assert "(community)" in widget.measure.model.index(0, 6).data()
    assert services.measurements.measurements("this PC") == []


@pytest.fixture
def gguf_file(tmp_path: Path) -> Path:
    path = tmp_path / "Qwen2.5-7B-Instruct-Q4_K_M.gguf"
    path.write_bytes(b"GGUF")
    return path


def test_ollama_lists_its_models_then_measures_the_chosen_one(qtbot, pane, replay, services: Services) -> None:
    data = TESTS / "data" / "measure"
    server = replay({
        "/api/tags": json.loads((data / "ollama_tags.json").read_text()),
        "/api/generate": json.loads((data / "ollama_generate.json").read_text()),
    })  # fmt: skip
    widget = pane()
    widget.measure.ask_user = False
    with qtbot.waitSignal(widget.measure.ollama_models_listed, timeout=10_000) as listed:
        widget.measure.list_ollama_models(server.url)
    assert listed.args[0] == ["codellama:13b", "llama3:latest"]
    with qtbot.waitSignal(widget.measure.measurement_finished, timeout=10_000):
        widget.measure.start_ollama(server.url, "llama3:latest")
    assert {m.test for m in services.measurements.measurements()} == {"pp26", "tg290"}
    assert widget.measure.model.rowCount() == 2


def test_ollama_not_running_is_said_in_the_pane(qtbot, pane) -> None:
    widget = pane()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    widget.measure.list_ollama_models(closed)
    qtbot.waitUntil(lambda: "Ollama is not answering" in widget.measure.strip.status.text(), timeout=10_000)


def test_llama_bench_runs_with_the_planners_settings(qtbot, pane, state: PlannerState, tmp_path: Path) -> None:
    widget = pane()
    state.set_model("llama-3.1-70b")
    state.set_quant("Q4_K_M")
    state.set_workload(depth=4096, prompt=1024, kv_cache="q8_0")
    widget.use_as_current_build()  # 24 GB of VRAM: a 70B at Q4_K_M is partly offloaded
    assert state.estimate is not None and state.estimate.fit == "partial"
    settings = widget.measure.bench_settings(tmp_path / "Meta-Llama-3.1-70B-Instruct-Q4_K_M.gguf")
    assert settings.gpu_layers == state.estimate.placement.gpu_layers < state.estimate.placement.total_layers
    assert (settings.prompt, settings.depths, settings.cache_type_k, settings.cache_type_v) == (
        1024, (0, 4096), "q8_0", "q8_0",
    )  # fmt: skip
    other = widget.measure.bench_settings(tmp_path / "Qwen2.5-7B-Instruct-Q4_K_M.gguf")
    assert other.gpu_layers == 99  # not the model being estimated: all layers on the GPU


def test_the_measured_table_model_passes_qts_model_checks(qtmodeltester, services: Services) -> None:
    from planner.ui.measured_model import MeasuredRow, MeasuredTableModel

    rows = to_measurements(parse_bench_json(RECORDED.read_text()), services.catalog)
    model = MeasuredTableModel()
    model.reset_rows([MeasuredRow(rows[0], 6880.0), MeasuredRow(rows[1], None)])
    qtmodeltester.check(model)
    assert model.index(1, 4).data() == "—" and model.index(0, 5).data() == "1.03"


def test_a_bad_run_can_be_deleted_and_the_correction_follows(
    qtbot, pane, state: PlannerState, services: Services
) -> None:
    widget = pane()
    state.set_quant("Q4_K_M")
    state.set_model("qwen2.5-7b")
    widget.use_as_current_build()
    store_bench_run(services, state, factor=0.3)  # a run with the GPU busy elsewhere
    assert state.this_pc_estimate is not None and state.this_pc_estimate.adjusted
    widget.measure.table.sortByColumn(COL_MEASURED, Qt.SortOrder.DescendingOrder)
    widget.measure.table.selectRow(0)
    with qtbot.waitSignal(state.measurements_changed):
        qtbot.mouseClick(widget.measure.buttons["delete"], Qt.MouseButton.LeftButton)
    assert services.measurements.measurements() == []
    assert widget.measure.model.rowCount() == 0
    assert state.this_pc_estimate is not None and not state.this_pc_estimate.adjusted
