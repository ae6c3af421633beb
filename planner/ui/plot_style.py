"""pyqtgraph plots that match the window's palette (light or dark)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QWidget


def styled_plot(parent: QWidget, title: str, x_label: str, y_label: str) -> pg.PlotWidget:
    palette = parent.palette()
    text = palette.color(QPalette.ColorRole.WindowText)
    plot = pg.PlotWidget(parent, background=palette.color(QPalette.ColorRole.Base))
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
