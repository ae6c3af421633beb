"""Performance per dollar: price (log) against generation speed for every preset and saved build.

Click a point to make that build the current one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSizeF
from PySide6.QtGui import QColor, QFontMetricsF, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from planner.catalog.builds import build_from_spec
from planner.core.estimate import Estimate
from planner.core.placement import Fit
from planner.errors import PlannerError
from planner.estimation.dataflow_front import NotRooflined
from planner.ui.compare_model import BuildChoice, build_choices
from planner.ui.format import Money, tok_range, tok_s
from planner.ui.plot_style import DollarLogAxis, styled_plot
from planner.ui.services import Services
from planner.ui.state import PlannerState

POINT_COLOR = QColor(78, 121, 167)
CURRENT_COLOR = QColor(242, 142, 43)
LABEL_CHARS = 24
PRICE_LABEL = "Price ($, log scale)"  # "$": the user's currency sign


def short(label: str, chars: int = LABEL_CHARS) -> str:
    return label if len(label) <= chars else label[: chars - 1].rstrip() + "…"


@dataclass(frozen=True)
class ScatterPoint:
    choice: BuildChoice
    estimate: Estimate
    current: bool


class ValueScatter(QWidget):
    """Signals: none of its own; it reads `state` (build_changed, estimate_changed) and calls
    `state.set_spec` when a point is clicked."""

    def __init__(self, state: PlannerState, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.services = services
        self.points: list[ScatterPoint] = []
        self.skipped_no_fit = 0
        self.skipped_no_price = 0
        self.skipped_dataflow = 0  # CS-3 and kin: vendor figures, not a llama.cpp speed to plot
        self.money = Money(services.settings)
        axis = DollarLogAxis("bottom", self.money)
        self.plot = styled_plot(self, "Performance per price", PRICE_LABEL, "Generation tok/s", axis)
        self.plot.setLogMode(x=True, y=False)
        self.scatter = pg.ScatterPlotItem(hoverable=True, tip=self._tip)
        self.scatter.sigClicked.connect(self._on_scatter_clicked)
        self.plot.addItem(self.scatter)
        self.plot.getPlotItem().getViewBox().sigResized.connect(self._on_view_box_resized)
        self.labels: list[pg.TextItem] = []
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.caption)
        self.setToolTip("Click a point to make that build the current one")
        state.estimate_changed.connect(self._on_state_estimate_changed)
        self.refresh()

    # ---- data ----------------------------------------------------------------
    def _on_state_estimate_changed(self, _estimate: Estimate | None) -> None:
        self.refresh()  # every build or workload change ends in estimate_changed

    def refresh(self) -> None:
        text = self.palette().color(QPalette.ColorRole.WindowText)
        self.plot.setLabel("bottom", self.money.label(PRICE_LABEL), color=text.name())
        self.points, self.skipped_no_fit, self.skipped_no_price, self.skipped_dataflow = [], 0, 0, 0
        errors = 0
        choices = build_choices(self.services)
        if not any(c.spec == self.state.spec for c in choices):
            choices.append(BuildChoice("current", f"Current: {self.state.build.name}", self.state.spec))
        for choice in choices:
            try:
                est = self.state.estimate_for(build_from_spec(self.services.catalog, choice.spec))
            except NotRooflined:
                self.skipped_dataflow += 1
                continue
            except PlannerError:
                errors += 1
                continue
            if est.fit == Fit.NONE or est.decode_tok_s is None:
                self.skipped_no_fit += 1
            elif not est.cost.hardware_usd:
                self.skipped_no_price += 1
            else:
                self.points.append(ScatterPoint(choice, est, choice.spec == self.state.spec))
        self._draw()
        self._caption(errors)

    def _caption(self, errors: int) -> None:
        notes = []
        if self.skipped_no_fit:
            notes.append(f"{self.skipped_no_fit} build(s) skipped: the model does not fit")
        if self.skipped_no_price:
            notes.append(f"{self.skipped_no_price} without a price")
        if self.skipped_dataflow:
            notes.append(f"{self.skipped_dataflow} dataflow system(s) not plotted: see Plan ▸ Serving at scale")
        if errors:
            notes.append(f"{errors} could not be estimated")
        model = self.services.catalog.model_rows[self.state.model_id]["name"]
        head = f"{len(self.points)} builds · {model} {self.state.quant}, context {self.state.workload.context:,}"
        head += " · hover a point for its numbers, click it to select that build"
        self.caption.setText(" · ".join([head, *notes]))

    # ---- drawing -------------------------------------------------------------
    def _draw(self) -> None:
        for label in self.labels:
            self.plot.removeItem(label)
        self.labels = []
        text_color = self.palette().color(QPalette.ColorRole.Text)
        spots = []
        for i, point in enumerate(self.points):
            x = self._log_price(point.estimate)  # the plot is in log10 units
            y = point.estimate.decode_tok_s or 0.0
            color = CURRENT_COLOR if point.current else POINT_COLOR
            spots.append(
                {
                    "pos": (x, y),
                    "data": i,
                    "size": 16 if point.current else 11,
                    "symbol": "star" if point.current else "o",
                    "brush": pg.mkBrush(color),
                    "pen": pg.mkPen(text_color if point.current else color.darker(130), width=1.5),
                }
            )
            label = pg.TextItem(short(point.choice.label), color=text_color, anchor=(0, 1))
            label.setPos(x, y)
            label.setZValue(2 if point.current else 1)
            self.plot.addItem(label)
            self.labels.append(label)
        self.scatter.setData(spots)
        self._fit_range([s["pos"] for s in spots])
        self._place_labels()

    def _fit_range(self, positions: list[tuple[float, float]]) -> None:
        """Set the range now, with room on the right for labels (auto-range waits for a paint)."""
        if not positions:
            self.plot.setXRange(2, 4, padding=0)
            self.plot.setYRange(0, 1, padding=0)
            return
        xs, ys = [x for x, _ in positions], [y for _, y in positions]
        self.plot.setXRange(min(xs) - 0.15, max(xs) + 0.45, padding=0)
        self.plot.setYRange(0, max(ys) * 1.15, padding=0)

    def _place_labels(self) -> None:
        """Show the labels that do not collide, the current build's first; hovering names the rest.

        Rectangles are worked out in scene pixels here, because a TextItem's own bounds lag a resize.
        """
        view_box = self.plot.getPlotItem().getViewBox()
        right = view_box.sceneBoundingRect().right()
        metrics = QFontMetricsF(self.font())
        taken: list[QRectF] = []
        for i in sorted(range(len(self.points)), key=lambda i: (not self.points[i].current, i)):
            label, est = self.labels[i], self.points[i].estimate
            anchor = view_box.mapViewToScene(QPointF(self._log_price(est), est.decode_tok_s or 0.0))
            size = metrics.size(0, label.toPlainText()) + QSizeF(6, 4)
            flip = anchor.x() + size.width() > right  # put it left of the point rather than clip it
            left = anchor.x() - size.width() if flip else anchor.x()
            rect = QRectF(QPointF(left, anchor.y() - size.height()), size)
            label.setAnchor((1, 1) if flip else (0, 1))
            visible = not any(rect.intersects(other) for other in taken)
            label.setVisible(visible)
            if visible:
                taken.append(rect)

    def _log_price(self, est: Estimate) -> float:
        """The x of an estimate: log10 of its price in the user's currency."""
        return math.log10(max((est.cost.hardware_usd or 1.0) * self.money.rate, 1e-9))

    def _on_view_box_resized(self, _view_box: pg.ViewBox) -> None:
        self._place_labels()

    def _tip(self, x: float, y: float, data: Any) -> str:
        point = self.points[int(data)]
        est = point.estimate
        lines = [
            point.choice.label,
            f"price {self.money(est.cost.hardware_usd)}",
            f"generation {tok_s(est.decode_tok_s)} tok/s (likely {tok_range(est.decode_range)})",
            f"fit: {est.fit}",
        ]
        lines += [f"measured {m['test']}: {tok_s(m['tokens_per_s'])} tok/s ({m['source_url']})" for m in est.measured]
        return "\n".join([*lines, "click to make it the current build"])

    # ---- selection -----------------------------------------------------------
    def select_point(self, index: int) -> None:
        choice = self.points[index].choice
        self.state.set_spec(choice.spec, saved_name=choice.saved_name)

    def _on_scatter_clicked(self, _item: pg.ScatterPlotItem, spots: list[Any], _event: Any) -> None:
        if len(spots):
            self.select_point(int(spots[0].data()))
