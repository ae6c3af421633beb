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
        self.speed.getViewBox().setLimits(yMin=0)
        self.no_fit = pg.TextItem("", color=(217, 83, 79), anchor=(0.5, 0.5))
        self.speed.addItem(self.no_fit, ignoreBounds=True)
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

    def _show_no_fit(self, contexts: list[int], runs: list[int], unified: bool) -> None:
        """A model that fits at no context gets words, not a flat zero line."""
        if runs or not contexts:
            self.no_fit.setText("")
            return
        why = "more than the unified memory" if unified else "not enough GPU memory plus system RAM"
        self.no_fit.setText(f"Does not fit at any context:\n{why}")
        middle = math.log10(contexts[0]) + (math.log10(contexts[-1]) - math.log10(contexts[0])) / 2
        self.no_fit.setPos(middle, 0.5)
        self.speed.setXRange(math.log10(contexts[0]), math.log10(contexts[-1]))
        self.speed.setYRange(0, 1)

    def _on_state_estimate_changed(self, estimate: Estimate | None) -> None:
        if estimate is None:
            return
        xs, speeds, lows, highs, weights, totals = [], [], [], [], [], []
        runs: list[int] = []
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
            if point.decode_tok_s is not None and point.decode_range is not None:  # no speed where it does not fit
                runs.append(ctx)
                speeds.append(point.decode_tok_s)
                lows.append(point.decode_range[0])
                highs.append(point.decode_range[1])
        self.decode_curve.setData(runs, speeds)
        self.low_curve.setData(runs, lows)
        self.high_curve.setData(runs, highs)
        self._show_no_fit(xs, runs, estimate.build.is_unified)
        self.weights_curve.setData(xs, weights)
        self.total_curve.setData(xs, totals)
        fits_to = estimate.max_context_on_gpu
        self.boundary.setVisible(fits_to > 0)
        if fits_to > 0:
            self.boundary.setValue(math.log10(fits_to))
            self.boundary_label.setFormat(f"fits on GPU up to {fits_to:,}")
        capacity = estimate.placement.gpu_capacity_bytes / GIB
        self.memory.setTitle("Memory" if runs else "Memory (does not fit)")
        self.capacity_line.setVisible(capacity > 0)
        self.capacity_line.setValue(capacity)
