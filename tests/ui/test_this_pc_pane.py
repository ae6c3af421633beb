"""This PC: background detection, catalog matches, "Use as current build" and live telemetry."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from planner.core.units import GIB
from planner.errors import PlannerError
from planner.hardware.detect import Detection
from planner.hardware.nvidia import NvidiaProbe
from planner.hardware.probe import CpuInfo, GpuInfo, MemoryInfo, found
from planner.hardware.recorded import RecordedNvml, load_recording
from planner.hardware.telemetry import GpuSample, Sample, Sampler
from planner.ui.services import Services
from planner.ui.state import PlannerState
from planner.ui.telemetry_charts import interval_for
from planner.ui.this_pc_pane import ThisPcPane, predicted_gib

NVML = Path(__file__).resolve().parents[1] / "fixtures" / "hardware" / "nvml"
RYZEN = CpuInfo("AMD Ryzen 7 5800X 8-Core Processor", "X86_64", "AuthenticAMD", 8, 16, ("avx2",))
RAM = MemoryInfo(int(31.3 * GIB), 20 * GIB, speed_mts=3200, channels=2)


def nvml_detect(name: str) -> Callable[[float], Detection]:
    def detect(_timeout_s: float = 1.0) -> Detection:
        result = NvidiaProbe(lambda: RecordedNvml(load_recording(NVML / f"{name}.json"))).run()
        return Detection((result, found("cpu", RYZEN, "test"), found("memory", RAM, "test")))

    return detect


class FakeSource:
    """A sampler stand-in: no thread, samples handed in by the test."""

    def __init__(self, gpu_indices: tuple[int, ...]) -> None:
        self.gpu_indices = gpu_indices
        self.running = False
        self.stops = 0
        self.buffer: list[Sample] = []

    def start(self) -> None:
        self.running = True

    def stop(self, timeout_s: float = 2.0) -> None:
        self.running = False
        self.stops += 1

    def samples(self) -> list[Sample]:
        return list(self.buffer)


def sample(t: float, vram_gib: float) -> Sample:
    gpu = GpuSample(0, utilization_pct=80, memory_used_bytes=int(vram_gib * GIB), power_w=250.0)
    return Sample(time_s=t, gpus=(gpu,), cpu_pct=25.0, ram_used_bytes=12 * GIB)


class FakeStats:
    def cpu_percent(self) -> float:
        return 12.5

    def ram_used_bytes(self) -> int:
        return 8 * GIB


@pytest.fixture
def sources() -> list[FakeSource]:
    return []


@pytest.fixture
def make_pane(qtbot, state: PlannerState, services: Services, sources: list[FakeSource]):
    def make(detect: Callable[[float], Detection] | None = None, factory=None) -> ThisPcPane:
        if detect is not None:
            services.detect = detect

        def fake_factory(indices: tuple[int, ...], _interval_s: float) -> FakeSource:
            sources.append(FakeSource(indices))
            return sources[-1]

        pane = ThisPcPane(state, services, sampler_factory=factory or fake_factory, detect_timeout_s=1.0)
        qtbot.addWidget(pane)
        return pane

    return make


def show_and_detect(qtbot, pane: ThisPcPane) -> Detection:
    with qtbot.waitSignal(pane.detection_finished, timeout=10_000) as blocker:
        pane.show()
    return blocker.args[0]


def test_detection_runs_in_the_background_and_the_pane_updates(qtbot, make_pane, services: Services) -> None:
    release = threading.Event()

    def slow_detect(timeout_s: float) -> Detection:
        release.wait(5)
        return nvml_detect("rtx3090")(timeout_s)

    pane = make_pane(slow_detect)
    with qtbot.waitSignal(pane.detection_finished, timeout=10_000):
        pane.show()
        assert pane.status_label.text() == "Detecting hardware…"  # show() returned before detection did
        assert not pane.use_button.isEnabled()
        release.set()
    assert services.detection is not None
    text = pane.summary.toPlainText()
    assert "NVIDIA GeForce RTX 3090" in text and "rtx-3090" in text and "936 GB/s" in text
    assert "AMD Ryzen 7 5800X" in text and "31.3 GiB" in text
    assert "nvidia" in text and "ok" in text
    assert pane.use_button.isEnabled()


def test_no_hardware_lists_every_probe_and_cpu_ram_only(qtbot, make_pane) -> None:
    pane = make_pane()
    show_and_detect(qtbot, pane)
    assert "How it was detected" in pane.summary.toPlainText()
    assert pane.charts.status_label.text().startswith("No GPU detected: ")
    assert pane.charts.vram_plot.isHidden() and not pane.charts.cpu_plot.isHidden()


def test_absent_probe_reasons_are_shown(qtbot, make_pane) -> None:
    def detect(_timeout_s: float) -> Detection:
        no_nvml = NvidiaProbe(lambda: RecordedNvml({"init_error": 9, "devices": []})).run()
        return Detection((no_nvml, found("cpu", RYZEN, "test")))

    pane = make_pane(detect)
    show_and_detect(qtbot, pane)
    assert "driver is not loaded" in pane.summary.toPlainText()
    assert "No GPU detected: no NVIDIA GPU detected: the NVIDIA driver is not loaded" in pane.charts.status_label.text()


def test_unknown_gpu_says_not_in_catalog(qtbot, make_pane) -> None:
    gpu = GpuInfo("NVIDIA Future GPU 9999", "NVIDIA", 32 * GIB, "nvml", bus_width_bits=512, max_memory_clock_mhz=14001)
    pane = make_pane(lambda _t: Detection((found("nvidia", (gpu,), "test"), found("cpu", RYZEN, "test"))))
    show_and_detect(qtbot, pane)
    assert "not in catalog" in pane.summary.toPlainText()


def test_use_as_current_build_changes_the_state(qtbot, make_pane, state: PlannerState) -> None:
    pane = make_pane(nvml_detect("dual_3090"))
    show_and_detect(qtbot, pane)
    with qtbot.waitSignal(state.build_changed):
        pane.use_button.click()
    assert state.build.name == "This PC"
    assert [(g.accelerator.id, g.count) for g in state.build.gpus] == [("rtx-3090", 2)]
    assert state.spec["gpus"] == [{"gpu": "rtx-3090", "count": 2, "vram_gb": 24.0}]


def test_detect_again_reruns_detection(qtbot, make_pane) -> None:
    calls: list[float] = []

    def counting(timeout_s: float) -> Detection:
        calls.append(timeout_s)
        return nvml_detect("rtx4090")(timeout_s)

    pane = make_pane(counting)
    show_and_detect(qtbot, pane)
    with qtbot.waitSignal(pane.detection_finished, timeout=10_000):
        pane.detect_button.click()
        assert not pane.detect_button.isEnabled()
    assert calls == [1.0, 1.0] and pane.detect_button.isEnabled()


def test_a_failed_detection_is_reported(qtbot, make_pane) -> None:
    def broken(_timeout_s: float) -> Detection:
        raise PlannerError("probe table unreadable")

    pane = make_pane(broken)
    with qtbot.waitSignal(pane.detection_failed, timeout=10_000):
        pane.show()
    assert pane.status_label.text() == "Detection failed: probe table unreadable"


def test_window_first_shown_starts_detection(qtbot, state: PlannerState, services: Services) -> None:
    class Window(QWidget):
        first_shown = Signal()

    window = Window()
    qtbot.addWidget(window)
    pane = ThisPcPane(state, services, window)
    with qtbot.waitSignal(pane.detection_finished, timeout=10_000):
        window.first_shown.emit()
    assert not pane.isVisible()  # detected without the tab being shown


def test_telemetry_updates_curves_and_the_prediction_line(qtbot, make_pane, state: PlannerState, sources) -> None:
    state.recompute()
    pane = make_pane(nvml_detect("rtx3090"))
    show_and_detect(qtbot, pane)
    (source,) = sources
    assert source.gpu_indices == (0,) and source.running
    source.buffer = [sample(10.0, 5.0), sample(10.5, 6.0), sample(11.0, 6.5)]
    with qtbot.waitSignal(pane.charts.refreshed, timeout=5_000) as blocker:
        pass
    assert blocker.args == [3]
    x, y = pane.charts.vram_curve.getData()
    assert list(x) == [-1.0, -0.5, 0.0] and list(y) == [5.0, 6.0, 6.5]
    assert list(pane.charts.util_curves[0].getData()[1]) == [80.0] * 3
    assert list(pane.charts.ram_curve.getData()[1]) == [12.0] * 3
    assert pane.charts.prediction_line.isVisible()
    assert pane.charts.prediction_line.value() == pytest.approx(predicted_gib(state.estimate))


def test_telemetry_stops_when_hidden_and_resumes_when_shown(qtbot, make_pane, sources) -> None:
    pane = make_pane(nvml_detect("rtx3090"))
    show_and_detect(qtbot, pane)
    (source,) = sources
    assert pane.charts.timer.isActive()
    pane.hide()
    assert not source.running and not pane.charts.timer.isActive()
    pane.show()
    assert source.running and pane.charts.timer.isActive()
    pane.close()
    assert not pane.charts.running


def test_real_sampler_thread_stops_when_hidden(qtbot, make_pane, services: Services) -> None:
    services.settings.set("telemetry_hz", 4)
    made: list[Sampler] = []

    def factory(indices: tuple[int, ...], interval_s: float) -> Sampler:
        api = RecordedNvml(load_recording(NVML / "rtx3090.json"))
        api.init()
        made.append(Sampler(api, FakeStats(), indices, interval_s))
        return made[-1]

    pane = make_pane(nvml_detect("rtx3090"), factory)
    show_and_detect(qtbot, pane)
    assert made[0].interval_s == 0.25

    def drawn() -> bool:
        x = pane.charts.vram_curve.getData()[0]
        return x is not None and len(x) >= 2

    qtbot.waitUntil(drawn, timeout=5_000)
    pane.hide()
    assert not made[0].running
    assert not any(t.name == "telemetry" and t.is_alive() for t in threading.enumerate())


@pytest.mark.parametrize(("hz", "interval"), [(2, 0.5), (10, 0.25), (0.5, 1.0), (0, 1.0)])
def test_telemetry_rate_is_clamped_to_what_the_sampler_accepts(hz: float, interval: float) -> None:
    assert interval_for(hz) == interval
