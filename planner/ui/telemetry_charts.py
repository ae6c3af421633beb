"""Live telemetry charts for This PC: VRAM against the prediction, GPU load and power, CPU and RAM.

The sampler (planner.hardware.telemetry) runs on its own thread and fills a ring buffer;
a QTimer on the UI thread reads the buffer and redraws. Both run only between `start()`
and `stop()`, which the This PC pane calls when it is shown and hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from planner.core.units import GIB
from planner.hardware.nvml_api import NvmlError
from planner.hardware.nvml_pynvml import PynvmlApi
from planner.hardware.telemetry import MAX_INTERVAL_S, MIN_INTERVAL_S, PsutilStats, Sample, Sampler

COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")


class SampleSource(Protocol):
    """What the charts need of a sampler; `Sampler` is one, tests pass fakes."""

    @property
    def running(self) -> bool: ...
    def start(self) -> None: ...
    def stop(self, timeout_s: float = 2.0) -> None: ...
    def samples(self) -> list[Sample]: ...


SamplerFactory = Callable[[tuple[int, ...], float], SampleSource]


def real_sampler(gpu_indices: tuple[int, ...], interval_s: float) -> SampleSource:
    """A sampler over NVML (when there are NVIDIA GPUs and the library loads) and psutil."""
    nvml: PynvmlApi | None = None
    if gpu_indices:
        try:
            nvml = PynvmlApi()
            nvml.init()
        except NvmlError:
            nvml = None  # the GPUs then read as lost; CPU and RAM go on
    return Sampler(nvml, PsutilStats(), gpu_indices, interval_s)


def interval_for(hz: float) -> float:
    """The sampling interval for a rate in Hz, within what the sampler accepts."""
    return min(max(1.0 / hz if hz > 0 else MAX_INTERVAL_S, MIN_INTERVAL_S), MAX_INTERVAL_S)


def _plot(title: str, unit: str) -> pg.PlotWidget:
    plot = pg.PlotWidget()
    plot.setBackground(None)
    plot.setTitle(title)
    plot.setLabel("left", unit)
    plot.setLabel("bottom", "seconds ago")
    plot.getAxis("left").enableAutoSIPrefix(False)  # GiB stay GiB, not "x0.001"
    plot.showGrid(x=True, y=True, alpha=0.2)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.setMinimumHeight(150)
    return plot


class TelemetryCharts(QWidget):
    """Signals: `refreshed(int)` — the curves were redrawn from this many samples."""

    refreshed = Signal(int)

    def __init__(self, factory: SamplerFactory = real_sampler, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.factory = factory
        self.source: SampleSource | None = None
        self.gpu_indices: tuple[int, ...] = ()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.status_label = QLabel("Telemetry starts once detection has finished.")
        self.status_label.setWordWrap(True)
        self.vram_plot = _plot("VRAM used vs predicted", "GiB")
        self.util_plot = _plot("GPU utilization", "%")
        self.power_plot = _plot("GPU power", "W")
        self.cpu_plot = _plot("CPU", "%")
        self.ram_plot = _plot("RAM used", "GiB")
        for plot in (self.util_plot, self.cpu_plot):
            plot.setYRange(0, 100)
        self.vram_plot.addLegend(offset=(-10, 10))
        self.vram_curve = self.vram_plot.plot(pen=pg.mkPen(COLORS[0], width=2), name="used (all GPUs)")
        self.prediction_line = pg.InfiniteLine(
            angle=0, movable=False, pen=pg.mkPen("#d62728", width=2, style=Qt.PenStyle.DashLine)
        )
        self.prediction_line.setVisible(False)
        self.vram_plot.addItem(self.prediction_line)
        self.vram_plot.plotItem.legend.addItem(pg.PlotDataItem(pen=self.prediction_line.pen), "predicted")
        self.cpu_curve = self.cpu_plot.plot(pen=pg.mkPen(COLORS[2], width=2))
        self.ram_curve = self.ram_plot.plot(pen=pg.mkPen(COLORS[4], width=2))
        self.util_curves: list[pg.PlotDataItem] = []
        self.power_curves: list[pg.PlotDataItem] = []
        grid = QGridLayout()
        grid.addWidget(self.vram_plot, 0, 0)
        grid.addWidget(self.util_plot, 0, 1)
        grid.addWidget(self.power_plot, 0, 2)
        grid.addWidget(self.cpu_plot, 1, 0)
        grid.addWidget(self.ram_plot, 1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status_label)
        layout.addLayout(grid, 1)
        self.set_gpus((), "detection has not finished yet")

    @property
    def running(self) -> bool:
        return self.timer.isActive() or (self.source is not None and self.source.running)

    def set_gpus(self, gpu_indices: Sequence[int], no_gpu_reason: str = "") -> None:
        """Which NVML GPUs to sample; none shows CPU and RAM only, with the reason."""
        was_running = self.running
        self.stop()
        self.source = None
        self.gpu_indices = tuple(gpu_indices)
        has_gpu = bool(self.gpu_indices)
        for plot in (self.vram_plot, self.util_plot, self.power_plot):
            plot.setVisible(has_gpu)
        for curve in self.util_curves:
            self.util_plot.removeItem(curve)
        for curve in self.power_curves:
            self.power_plot.removeItem(curve)
        pens = [pg.mkPen(COLORS[i % len(COLORS)], width=2) for i in range(len(self.gpu_indices))]
        self.util_curves = [self.util_plot.plot(pen=p) for p in pens]
        self.power_curves = [self.power_plot.plot(pen=p) for p in pens]
        self.status_label.setText(
            f"Sampling GPU {', '.join(map(str, self.gpu_indices))}, CPU and RAM."
            if has_gpu
            else f"No GPU detected: {no_gpu_reason}. Showing CPU and RAM only."
        )
        if was_running:
            self.start()

    def set_prediction_gib(self, predicted_gib: float | None) -> None:
        """The planner's predicted memory for the selected model, drawn as a horizontal line."""
        self.prediction_line.setVisible(predicted_gib is not None)
        if predicted_gib is not None:
            self.prediction_line.setValue(predicted_gib)

    def start(self, hz: float = 2.0) -> None:
        interval_s = interval_for(hz)
        if self.source is None:
            self.source = self.factory(self.gpu_indices, interval_s)
        self.source.start()
        self.timer.start(int(interval_s * 1000))

    def stop(self) -> None:
        self.timer.stop()
        if self.source is not None:
            self.source.stop()

    def refresh(self) -> None:
        samples = self.source.samples() if self.source is not None else []
        if not samples:
            return
        latest = samples[-1].time_s
        x = [s.time_s - latest for s in samples]
        self.cpu_curve.setData(x, [s.cpu_pct for s in samples])
        self.ram_curve.setData(x, [s.ram_used_bytes / GIB for s in samples])
        if self.gpu_indices:
            vram = [sum(g.memory_used_bytes or 0 for g in s.gpus if not g.lost) / GIB for s in samples]
            self.vram_curve.setData(x, vram)
            for i, (util, power) in enumerate(zip(self.util_curves, self.power_curves, strict=True)):
                gpus = [s.gpus[i] if i < len(s.gpus) else None for s in samples]
                util.setData(x, [float(g.utilization_pct or 0) if g else 0.0 for g in gpus])
                power.setData(x, [float(g.power_w or 0) if g else 0.0 for g in gpus])
        self.refreshed.emit(len(samples))

    def _on_timer_timeout(self) -> None:
        self.refresh()
