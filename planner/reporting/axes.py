"""Chart scaffolding: axis scales, tick values and the plot frame, drawn with QPainter (vector)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from planner.reporting.layout import INK, MUTED, RULE, Style

PALETTE = ("#1f5fa8", "#c2372e", "#2e8b57", "#7b4fb0", "#b8860b", "#2a9bb5")
HIGHLIGHT = QColor("#e07000")
GRID = QColor("#e3e7ec")


@dataclass(frozen=True)
class Scale:
    low: float
    high: float
    log: bool = False

    def fraction(self, value: float) -> float:
        if self.log:
            low, high, value = math.log(self.low), math.log(self.high), math.log(max(value, self.low * 1e-3))
        else:
            low, high = self.low, self.high
        return (value - low) / (high - low) if high > low else 0.5


def nice_step(span: float, count: int) -> float:
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    return next((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), 10 * magnitude)


def linear_scale(high: float, count: int = 5) -> tuple[Scale, list[float]]:
    """0 to a round number at or above `high`, with round ticks."""
    step = nice_step(high if high > 0 else 1.0, count)
    top = step * math.ceil((high if high > 0 else 1.0) / step)
    ticks = [i * step for i in range(round(top / step) + 1)]
    return Scale(0.0, top), ticks


def log_scale(low: float, high: float) -> tuple[Scale, list[float]]:
    """Whole decades around the data, with ticks at 1, 2 and 5 of each decade (1 only when wide)."""
    lo, hi = math.floor(math.log10(low)), math.ceil(math.log10(high))
    if hi == lo:
        hi += 1
    steps = (1,) if hi - lo > 3 else (1, 2, 5)
    ticks = [m * 10.0**e for e in range(lo, hi + 1) for m in steps if m * 10.0**e <= 10.0**hi]
    return Scale(10.0**lo, 10.0**hi, log=True), ticks


def context_label(tokens: float) -> str:
    """Contexts are powers of two: 4096 is "4K", as runtimes write it."""
    return f"{tokens / 1024:g}K" if tokens >= 1024 else f"{tokens:g}"


def short_number(value: float, prefix: str = "") -> str:
    for limit, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{prefix}{value / limit:g}{suffix}"
    return f"{prefix}{value:g}"


@dataclass
class Plot:
    """A frame: title on top, y ticks on the left, x ticks and the axis title below."""

    painter: QPainter
    style: Style
    outer: QRectF
    title: str
    x_title: str
    y_title: str = ""
    left_pt: float = 34.0

    def __post_init__(self) -> None:
        s = self.style
        self.left_pt += 11.0 if self.y_title else 0.0
        self.area = self.outer.adjusted(s.pt(self.left_pt), s.pt(16), -s.pt(8), -s.pt(26))

    def x(self, scale: Scale, value: float) -> float:
        return self.area.left() + scale.fraction(value) * self.area.width()

    def y(self, scale: Scale, value: float) -> float:
        return self.area.bottom() - scale.fraction(value) * self.area.height()

    def frame(self) -> None:
        p, s = self.painter, self.style
        p.setFont(s.bold)
        p.setPen(INK)
        title_box = QRectF(self.outer.left(), self.outer.top(), self.outer.width(), s.pt(14))
        title = s.metrics(s.bold).elidedText(self.title, Qt.TextElideMode.ElideRight, title_box.width())
        p.drawText(title_box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), title)
        p.setFont(s.small)
        p.setPen(MUTED)
        if self.x_title:
            x_box = QRectF(self.area.left(), self.outer.bottom() - s.pt(11), self.area.width(), s.pt(11))
            p.drawText(x_box, int(Qt.AlignmentFlag.AlignCenter), self.x_title)
        if self.y_title:
            p.save()
            p.translate(self.outer.left(), self.area.center().y())
            p.rotate(-90)
            y_box = QRectF(-self.area.height() / 2, 0, self.area.height(), s.pt(10))
            p.drawText(y_box, int(Qt.AlignmentFlag.AlignCenter), self.y_title)
            p.restore()
        p.setPen(QPen(RULE, s.pt(0.6)))
        p.drawRect(self.area)

    def x_ticks(self, scale: Scale, ticks: list[float], label: Callable[[float], str]) -> None:
        p, s = self.painter, self.style
        for value in ticks:
            x = self.x(scale, value)
            p.setPen(QPen(GRID, s.pt(0.4)))
            p.drawLine(QPointF(x, self.area.top()), QPointF(x, self.area.bottom()))
            p.setPen(MUTED)
            box = QRectF(x - s.pt(20), self.area.bottom() + s.pt(2), s.pt(40), s.pt(10))
            p.drawText(box, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), label(value))

    def y_ticks(self, scale: Scale, ticks: list[float], label: Callable[[float], str]) -> None:
        p, s = self.painter, self.style
        for value in ticks:
            y = self.y(scale, value)
            p.setPen(QPen(GRID, s.pt(0.4)))
            p.drawLine(QPointF(self.area.left(), y), QPointF(self.area.right(), y))
            p.setPen(MUTED)
            box = QRectF(self.outer.left(), y - s.pt(5), s.pt(self.left_pt - 3), s.pt(10))
            p.drawText(box, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), label(value))

    def empty(self, message: str) -> None:
        self.painter.setPen(MUTED)
        self.painter.setFont(self.style.body)
        self.painter.drawText(self.area, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), message)
