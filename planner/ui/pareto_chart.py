"""Price (log) against generation speed for a plan's results, with the Pareto frontier and the current build.

Click a point to select that result in the Plan pane's table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from planner.core.estimate import Estimate
from planner.core.placement import Fit
from planner.planning.search import PlanResult, pareto_frontier
from planner.ui.can_run_model import FIT_LABELS
from planner.ui.format import Money, tok_range, tok_s
from planner.ui.plot_style import DollarLogAxis, styled_plot

POINT_COLOR = QColor(78, 121, 167, 150)
FRONTIER_COLOR = QColor(44, 160, 44)
CURRENT_COLOR = QColor(242, 142, 43)
SELECTED_COLOR = QColor(214, 39, 40)


def dollars(usd: float | None, digits: int = 0) -> str:
    return "—" if usd is None else f"${usd:,.{digits}f}"


class ParetoChart(QWidget):
    """Signals: `point_clicked(int)` — the index (into the results given to `set_results`) of a clicked point."""

    point_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None, money: Money | None = None) -> None:
        super().__init__(parent)
        self._currency = money
        self._money = money or dollars
        self.results: list[PlanResult] = []
        self.frontier: list[PlanResult] = []
        self.current_xy: tuple[float, float] | None = None
        self._index: dict[int, int] = {}
        self._current_note = ""
        self._text = self.palette().color(QPalette.ColorRole.Text)
        self.plot = styled_plot(self, "Price against speed", "Price (log scale)", "Generation tok/s")
        axis = DollarLogAxis("bottom", money)
        self.plot.setAxisItems({"bottom": axis})
        axis.setPen(pg.mkPen(self._text))
        axis.setTextPen(pg.mkPen(self._text))
        self.plot.setLabel("bottom", "Price (log scale)", color=self._text.name())
        self.plot.setLogMode(x=True, y=False)
        self.legend = self.plot.addLegend(offset=(10, 10), labelTextColor=self._text)
        self.scatter = pg.ScatterPlotItem(hoverable=True, tip=self._tip, name="Qualifying builds")
        self.scatter.sigClicked.connect(self._on_scatter_clicked)
        self.frontier_curve = pg.PlotCurveItem(pen=pg.mkPen(FRONTIER_COLOR, width=2), name="Pareto frontier")
        self.frontier_points = pg.ScatterPlotItem(
            size=10, brush=pg.mkBrush(FRONTIER_COLOR), pen=pg.mkPen(FRONTIER_COLOR.darker(140))
        )
        self.selected = pg.ScatterPlotItem(size=18, brush=None, pen=pg.mkPen(SELECTED_COLOR, width=2))
        self.current_marker = pg.ScatterPlotItem(
            size=20, symbol="star", brush=pg.mkBrush(CURRENT_COLOR), pen=pg.mkPen(self._text), name="Current build"
        )
        for z, item in enumerate(
            (self.scatter, self.frontier_curve, self.frontier_points, self.selected, self.current_marker)
        ):
            item.setZValue(z)
            self.plot.addItem(item)
        self.frontier_points.setAcceptHoverEvents(False)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.caption)
        self.setToolTip("Hover a point for its numbers; click it to select that build in the table")

    def _xy(self, price_usd: float, decode_tok_s: float | None) -> tuple[float, float]:
        """A point in the plot's units: the x axis is log10 of the price in the user's currency."""
        rate = self._currency.rate if self._currency else 1.0
        return math.log10(max(price_usd * rate, 1.0)), decode_tok_s or 0.0

    # ---- data ----------------------------------------------------------------
    def set_results(self, results: Sequence[PlanResult]) -> None:
        self.results = [r for r in results if r.decode_tok_s is not None and r.price_usd > 0]
        self._index = {id(r): i for i, r in enumerate(results)}
        self.frontier = pareto_frontier(self.results)
        self.scatter.setData(
            [
                {"pos": self._xy(r.price_usd, r.decode_tok_s), "data": self._index[id(r)], "size": 7}
                for r in self.results
            ],
            brush=pg.mkBrush(POINT_COLOR),
            pen=pg.mkPen(POINT_COLOR.darker(130)),
        )
        frontier_xy = [self._xy(r.price_usd, r.decode_tok_s) for r in self.frontier]
        self.frontier_curve.setData([x for x, _ in frontier_xy], [y for _, y in frontier_xy])
        self.frontier_points.setData(pos=frontier_xy)
        self.selected.setData([])
        self._refresh()

    def set_current(self, estimate: Estimate | None, name: str) -> None:
        """Mark the current build, estimated for the plan's model; nothing when it is unpriced or does not fit."""
        self._current_note = ""
        self.current_xy = None
        if estimate is None:
            self._current_note = f"current build ({name}) could not be estimated"
        elif estimate.fit == Fit.NONE or estimate.decode_tok_s is None:
            self._current_note = f"current build ({name}) does not run this model"
        elif not estimate.cost.hardware_usd:
            self._current_note = f"current build ({name}) has no price"
        else:
            self.current_xy = self._xy(estimate.cost.hardware_usd, estimate.decode_tok_s)
            price = self._money(estimate.cost.hardware_usd)
            self._current_note = f"★ current build: {name}, {price}, {tok_s(estimate.decode_tok_s)} tok/s"
            self._current_note += f" ({FIT_LABELS[estimate.fit]})"
        self.current_marker.setData(pos=[self.current_xy] if self.current_xy else [])
        self._refresh()

    def highlight(self, index: int | None) -> None:
        """Ring the point of result `index` (an index into the results given to `set_results`)."""
        found = [r for r in self.results if index is not None and self._index[id(r)] == index]
        self.selected.setData(pos=[self._xy(r.price_usd, r.decode_tok_s) for r in found])

    # ---- drawing -------------------------------------------------------------
    def _refresh(self) -> None:
        points = [self._xy(r.price_usd, r.decode_tok_s) for r in self.results]
        if self.current_xy:
            points.append(self.current_xy)
        if points:
            xs, ys = [x for x, _ in points], [y for _, y in points]
            self.plot.setXRange(min(xs) - 0.15, max(xs) + 0.15, padding=0)
            self.plot.setYRange(0, max(max(ys) * 1.1, 1.0), padding=0)
        notes = [f"{len(self.results)} builds, {len(self.frontier)} on the frontier (green: nothing cheaper is faster)"]
        if self._current_note:
            notes.append(self._current_note)
        self.caption.setText(" · ".join(notes))

    def _tip(self, x: float, y: float, data: Any) -> str:
        result = next(r for r in self.results if self._index[id(r)] == int(data))
        est = result.estimate
        lines = [
            result.name,
            f"price {self._money(result.price_usd)}",
            f"generation {tok_s(result.decode_tok_s)} tok/s (likely {tok_range(est.decode_range)})",
            f"fit: {FIT_LABELS[result.fit]}",
        ]
        if any(r is result for r in self.frontier):
            lines.append("on the Pareto frontier")
        return "\n".join([*lines, "click to select it in the table"])

    def _on_scatter_clicked(self, _item: pg.ScatterPlotItem, spots: list[Any], _event: Any) -> None:
        if len(spots):
            self.point_clicked.emit(int(spots[0].data()))
