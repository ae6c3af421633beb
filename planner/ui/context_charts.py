"""Live charts against context length: generation speed (with the fit boundary) and memory."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QWidget

from planner.core.estimate import Estimate
from planner.core.units import GIB
from planner.core.workload import Workload
from planner.errors import PlannerError
from planner.ui.plot_style import ContextAxis, styled_plot
from planner.ui.state import PlannerState

CONTEXTS = [2**n for n in range(9, 21)]  # 512 .. 1M
DASH, DOT = Qt.PenStyle.DashLine, Qt.PenStyle.DotLine


class ContextCharts(QWidget):
    """tok/s against context (context full) and memory against context."""

    def __init__(self, state: PlannerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.speed = styled_plot(
            self, "Generation speed with the context full", "context (tokens)", "tok/s", ContextAxis("bottom")
        )
        self.memory = styled_plot(self, "Memory", "context (tokens)", "GiB", ContextAxis("bottom"))
        for plot in (self.speed, self.memory):
            plot.setLogMode(x=True, y=False)
            plot.setMinimumHeight(220)
        self.speed.addLegend(offset=(-10, 10))  # top right; the fit boundary label sits bottom left
        self.memory.addLegend(offset=(10, 10))
        self.decode_curve = self.speed.plot(pen=pg.mkPen("#4e79a7", width=2), symbol="o", symbolSize=5, name="estimate")
        self.low_curve = self.speed.plot(pen=pg.mkPen("#4e79a7", width=1, style=DOT))
        self.high_curve = self.speed.plot(pen=pg.mkPen("#4e79a7", width=1, style=DOT))
        band = pg.FillBetweenItem(self.low_curve, self.high_curve, brush=pg.mkBrush(78, 121, 167, 50))
        self.speed.addItem(band)
        self.boundary = pg.InfiniteLine(angle=90, pen=pg.mkPen("#d9534f", width=1.5, style=DASH))
        self.boundary_label = pg.InfLineLabel(self.boundary, text="", position=0.08, anchor=(1, 1), color=(217, 83, 79))
        self.speed.addItem(self.boundary)
        self.weights_curve = self.memory.plot(pen=pg.mkPen("#4e79a7", width=2), name="weights")
        self.total_curve = self.memory.plot(pen=pg.mkPen("#f28e2b", width=2), name="weights + KV + overhead")
        self.capacity_line = pg.InfiniteLine(angle=0, pen=pg.mkPen("#3c9a5f", width=1.5, style=DASH))
        self.capacity_label = pg.InfLineLabel(self.capacity_line, text="GPU capacity", position=0.6, anchor=(0, 1))
        self.memory.addItem(self.capacity_line)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.speed)
        layout.addWidget(self.memory)
        state.estimate_changed.connect(self._on_state_estimate_changed)
        if state.estimate is not None:
            self._on_state_estimate_changed(state.estimate)

    def _on_state_estimate_changed(self, estimate: Estimate | None) -> None:
        if estimate is None:
            return
        xs, speeds, lows, highs, weights, totals = [], [], [], [], [], []
        limit = max(estimate.model.max_context, CONTEXTS[0])
        for ctx in [c for c in CONTEXTS if c <= limit]:
            workload = Workload(
                context=ctx, depth=ctx, prompt=estimate.workload.prompt, kv_cache=estimate.workload.kv_cache,
                backend=estimate.workload.backend, gpu_memory_fraction=estimate.workload.gpu_memory_fraction,
            )  # fmt: skip
            try:
                point = self.state.services.estimator.estimate_build(
                    estimate.build, estimate.model.id, estimate.quant.name, workload, with_max_context=False
                )
            except PlannerError:
                continue
            p = point.placement
            xs.append(ctx)
            weights.append(p.weights_bytes / GIB)
            totals.append((p.weights_bytes + p.kv_bytes + p.overhead_bytes) / GIB)
            speeds.append(point.decode_tok_s or 0.0)
            lows.append(point.decode_range[0] if point.decode_range else 0.0)
            highs.append(point.decode_range[1] if point.decode_range else 0.0)
        self.decode_curve.setData(xs, speeds)
        self.low_curve.setData(xs, lows)
        self.high_curve.setData(xs, highs)
        self.weights_curve.setData(xs, weights)
        self.total_curve.setData(xs, totals)
        fits_to = estimate.max_context_on_gpu
        self.boundary.setVisible(fits_to > 0)
        if fits_to > 0:
            self.boundary.setValue(math.log10(fits_to))
            self.boundary_label.setFormat(f"fits on GPU up to {fits_to:,}")
        capacity = estimate.placement.gpu_capacity_bytes / GIB
        self.capacity_line.setVisible(capacity > 0)
        self.capacity_line.setValue(capacity)
