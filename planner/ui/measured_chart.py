"""The "This PC: measured vs estimated" chart: one point per measurement, on log axes,
with the line where measured equals estimated."""

from __future__ import annotations

import math
from collections.abc import Iterable

import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QVBoxLayout, QWidget

from planner.ui.measured_model import MeasuredRow
from planner.ui.plot_style import styled_plot

GENERATION_COLOR = QColor(78, 121, 167)
PROMPT_COLOR = QColor(242, 142, 43)


class MeasuredChart(QWidget):
    """Signals: none. `set_rows` redraws."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = styled_plot(self, "This PC: measured vs estimated", "Estimated tok/s (log)", "Measured tok/s (log)")
        self.plot.setLogMode(x=True, y=True)
        self.plot.addLegend(offset=(10, 10))
        self.generation = pg.ScatterPlotItem(name="generation", brush=GENERATION_COLOR, size=9, hoverable=True)
        self.prompt = pg.ScatterPlotItem(name="prompt processing", brush=PROMPT_COLOR, size=9, hoverable=True,
                                         symbol="s")  # fmt: skip
        self.diagonal = pg.PlotDataItem(pen=pg.mkPen(QColor(128, 128, 128), style=pg.QtCore.Qt.PenStyle.DashLine))
        for item in (self.diagonal, self.generation, self.prompt):
            self.plot.addItem(item)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.points = 0

    def set_rows(self, rows: Iterable[MeasuredRow]) -> None:
        shown = [r for r in rows if r.estimated_tok_s and r.measurement.tokens_per_s > 0]
        for item, generation in ((self.generation, True), (self.prompt, False)):
            mine = [r for r in shown if r.measurement.generation == generation]
            item.setData(
                x=[math.log10(r.estimated_tok_s or 1.0) for r in mine],
                y=[math.log10(r.measurement.tokens_per_s) for r in mine],
                data=[f"{r.measurement.model_id} {r.measurement.quant} {r.measurement.test}" for r in mine],
            )
        values = [v for r in shown for v in (r.estimated_tok_s or 1.0, r.measurement.tokens_per_s)]
        if values:
            low, high = min(values) / 1.5, max(values) * 1.5
            self.diagonal.setData([low, high], [low, high])
        else:
            self.diagonal.setData([], [])
        self.points = len(shown)
