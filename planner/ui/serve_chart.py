"""Throughput against concurrency: aggregate and per-user tok/s, the KV-capacity limit, and
where each user's speed falls below a chosen reading speed."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from planner.ui.plot_style import styled_plot


class UsersAxis(pg.AxisItem):
    """A log-scale user-count axis ticked at powers of two: 1, 2, 4 ... 64K."""

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, list[float]]]:
        powers = [n for n in range(0, 18) if minVal - 1e-9 <= n * math.log10(2) <= maxVal + 1e-9]
        step = max(1, math.ceil(len(powers) / 9))
        return [(1.0, [n * math.log10(2) for n in powers[::step]])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [f"{round(10**v) / 1024:g}K" if 10**v >= 1024 else f"{round(10**v)}" for v in values]


DASH, DOT = Qt.PenStyle.DashLine, Qt.PenStyle.DotLine


def reading_limit(users: np.ndarray, per_user: np.ndarray, reading_tok_s: float) -> int | None:
    """The most users that still each get `reading_tok_s` (None: even one user is slower)."""
    ok = users[per_user >= reading_tok_s]
    return int(ok.max()) if ok.size else None


class ServeChart(QWidget):
    """Log-log chart: aggregate and per-user tok/s against concurrent users."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = styled_plot(self, "Serving many users", "concurrent users", "tok/s", UsersAxis("bottom"))
        self.plot.setLogMode(x=True, y=True)
        self.plot.setMinimumHeight(220)
        self.plot.addLegend(offset=(10, 10))
        self.aggregate = self.plot.plot(pen=pg.mkPen("#4e79a7", width=2), name="aggregate tok/s")
        self.per_user = self.plot.plot(pen=pg.mkPen("#f28e2b", width=2), name="per-user tok/s")
        self.kv_line = pg.InfiniteLine(angle=90, pen=pg.mkPen("#d9534f", width=1.5, style=DASH))
        self.kv_label = pg.InfLineLabel(self.kv_line, text="", position=0.92, anchor=(1, 0), color=(217, 83, 79))
        self.reading_line = pg.InfiniteLine(angle=0, pen=pg.mkPen("#3c9a5f", width=1, style=DOT))
        self.reading_label = pg.InfLineLabel(self.reading_line, text="", position=0.45, anchor=(0, 1))
        self.limit_line = pg.InfiniteLine(angle=90, pen=pg.mkPen("#3c9a5f", width=1.5, style=DASH))
        self.limit_label = pg.InfLineLabel(self.limit_line, text="", position=0.08, anchor=(0, 1), color=(60, 154, 95))
        for item in (self.kv_line, self.reading_line, self.limit_line):
            self.plot.addItem(item)
        self.users: np.ndarray = np.zeros(0)
        self.per_user_values: np.ndarray = np.zeros(0)
        self.reading_users: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def show_curve(self, users: np.ndarray, aggregate: np.ndarray, per_user: np.ndarray, max_users: int) -> None:
        self.users, self.per_user_values = users, per_user
        self.aggregate.setData(users, aggregate)
        self.per_user.setData(users, per_user)
        self.kv_line.setValue(math.log10(max(max_users, 1)))
        self.kv_label.setFormat(f"KV cache holds {max_users:,}")

    def set_reading_speed(self, tok_s: float) -> None:
        self.reading_line.setValue(math.log10(tok_s))
        self.reading_label.setFormat(f"reading speed {tok_s:g} tok/s")
        self.reading_users = reading_limit(self.users, self.per_user_values, tok_s) if self.users.size else None
        self.limit_line.setVisible(self.reading_users is not None)
        if self.reading_users is not None:
            self.limit_line.setValue(math.log10(self.reading_users))
            self.limit_label.setFormat(f"{self.reading_users:,} users at {tok_s:g} tok/s each")
