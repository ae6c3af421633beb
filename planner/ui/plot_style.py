"""pyqtgraph plots that match the window's palette (light or dark)."""

from __future__ import annotations

import math
from typing import Any, Protocol

import pyqtgraph as pg
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QWidget


def styled_plot(
    parent: QWidget, title: str, x_label: str, y_label: str, x_axis: pg.AxisItem | None = None
) -> pg.PlotWidget:
    palette = parent.palette()
    text = palette.color(QPalette.ColorRole.WindowText)
    axes = {"bottom": x_axis} if x_axis is not None else None
    plot = pg.PlotWidget(parent, background=palette.color(QPalette.ColorRole.Base), axisItems=axes)
    plot.setTitle(title, color=text)
    for axis, label in (("bottom", x_label), ("left", y_label)):
        item = plot.getAxis(axis)
        item.setPen(pg.mkPen(text))
        item.setTextPen(pg.mkPen(text))
        item.enableAutoSIPrefix(False)
        plot.setLabel(axis, label, color=text.name())
    plot.showGrid(x=True, y=True, alpha=0.15)
    plot.setMouseEnabled(x=False, y=False)
    plot.setMenuEnabled(False)
    return plot


def context_label(tokens: float) -> str:
    tokens = round(tokens)
    if tokens >= 1024 * 1024:
        return f"{tokens / (1024 * 1024):g}M"
    return f"{tokens / 1024:g}K" if tokens >= 1024 else str(tokens)


class ContextAxis(pg.AxisItem):
    """A log-scale token axis ticked at powers of two: 512, 1K, 2K ... 1M."""

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, list[float]]]:
        powers = [n for n in range(6, 24) if minVal - 1e-9 <= n * math.log10(2) <= maxVal + 1e-9]
        step = 1 if len(powers) <= 8 else 2
        return [(1.0, [n * math.log10(2) for n in powers[::step]])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [context_label(10**v) for v in values]


class CurrencySign(Protocol):
    @property
    def symbol(self) -> str: ...


class DollarLogAxis(pg.AxisItem):
    """A log-scale price axis labelled in money rather than powers of ten.

    `money.symbol` (a `planner.ui.format.Money`) gives the currency sign at each redraw ("$" without one);
    the plotted values are already in that currency.
    """

    def __init__(self, orientation: str, money: CurrencySign | None = None, **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self._money = money

    def logTickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        sign = self._money.symbol.strip() if self._money else "$"
        return [f"{sign}{10**v:,.0f}" if 10**v >= 1 else f"{sign}{10**v:.2g}" for v in values]
