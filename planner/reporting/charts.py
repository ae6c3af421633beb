"""The sheet's charts, painted straight into the PDF as vector paths and text."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen

from planner.reporting.axes import (
    HIGHLIGHT,
    PALETTE,
    Plot,
    Scale,
    context_label,
    linear_scale,
    log_scale,
    short_number,
)
from planner.reporting.layout import INK, MUTED, Style
from planner.reporting.sheet_data import MemoryBar, ScatterPoint, Series
from planner.reporting.text_fit import printable

MEMORY_COLORS = (QColor("#1f5fa8"), QColor("#7fb0e0"), QColor("#b8c2cc"))
CAPACITY_COLOR = QColor("#c2372e")
PRESET_COLOR = QColor("#4a6d8c")


def context_chart(painter: QPainter, rect: QRectF, style: Style, series: Sequence[Series], title: str) -> None:
    plot = Plot(painter, style, rect, title, "context filled (tokens)", "generation tok/s")
    plot.frame()
    points = [pt for s in series for pt in s.points]
    if not points:
        plot.empty("No model in the table runs on this build.")
        return
    contexts = sorted({x for x, _ in points})
    x_scale = Scale(contexts[0] / 1.3, contexts[-1] * 1.3, log=True)
    y_scale, y_ticks = linear_scale(max(y for _, y in points) * 1.05)
    plot.x_ticks(x_scale, contexts, context_label)
    plot.y_ticks(y_scale, y_ticks, lambda v: f"{v:g}")
    for i, s in enumerate(series):
        color = QColor(PALETTE[i % len(PALETTE)])
        path = QPainterPath()
        for j, (x, y) in enumerate(s.points):
            at = QPointF(plot.x(x_scale, x), plot.y(y_scale, y))
            path.lineTo(at) if j else path.moveTo(at)
        painter.setPen(QPen(color, style.pt(1.2)))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        painter.setBrush(QBrush(color))
        for x, y in s.points:
            painter.drawEllipse(QPointF(plot.x(x_scale, x), plot.y(y_scale, y)), style.pt(1.6), style.pt(1.6))
    drawn = [QPointF(plot.x(x_scale, x), plot.y(y_scale, y)) for s in series for x, y in _densify(s.points)]
    keys = [(s.label, QColor(PALETTE[i % len(PALETTE)])) for i, s in enumerate(series)]
    _legend(painter, style, plot.area, keys, drawn)


def _densify(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Points along each segment too (log x), so a legend avoids the lines, not just the markers."""
    dense = list(points[:1])
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        dense += [(x0 * (x1 / x0) ** (k / 8), y0 + (y1 - y0) * k / 8) for k in range(1, 9)]
    return dense


def memory_chart(painter: QPainter, rect: QRectF, style: Style, bars: Sequence[MemoryBar], title: str) -> None:
    plot = Plot(painter, style, rect, title, "", left_pt=92.0)
    plot.frame()
    if not bars:
        plot.empty("No estimates to show.")
        return
    top = max(max(b.weights_gib + b.kv_gib + b.overhead_gib, b.capacity_gib) for b in bars)
    x_scale, x_ticks = linear_scale(top * 1.02)
    plot.x_ticks(x_scale, x_ticks, lambda v: f"{v:g}")
    slot = plot.area.height() / len(bars)
    bar_h = min(slot * 0.62, style.pt(14))
    metrics = style.metrics(style.small)
    for i, bar in enumerate(bars):
        mid = plot.area.top() + slot * (i + 0.5)
        painter.setFont(style.small)
        painter.setPen(INK)
        label_box = QRectF(rect.left(), mid - slot / 2, style.pt(89), slot)
        text = metrics.elidedText(printable(bar.label, painter.font()), Qt.TextElideMode.ElideMiddle, label_box.width())
        painter.drawText(label_box, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), text)
        start = 0.0
        for value, color in zip((bar.weights_gib, bar.kv_gib, bar.overhead_gib), MEMORY_COLORS, strict=True):
            left, right = plot.x(x_scale, start), plot.x(x_scale, start + value)
            painter.fillRect(QRectF(left, mid - bar_h / 2, right - left, bar_h), color)
            start += value
        if not bar.capacity_gib:
            continue  # no GPU: everything sits in system RAM
        cap = plot.x(x_scale, bar.capacity_gib)
        painter.setPen(QPen(CAPACITY_COLOR, style.pt(1.2)))
        painter.drawLine(QPointF(cap, mid - slot * 0.45), QPointF(cap, mid + slot * 0.45))
    keys = [("weights", MEMORY_COLORS[0]), ("KV cache", MEMORY_COLORS[1]), ("overhead", MEMORY_COLORS[2])]
    below = QRectF(rect.left() + style.pt(20), rect.bottom() - style.pt(11), rect.width(), style.pt(11))
    _legend_row(painter, style, below, [*keys, ("GPU capacity", CAPACITY_COLOR)])


def scatter_chart(painter: QPainter, rect: QRectF, style: Style, points: Sequence[ScatterPoint], title: str) -> None:
    plot = Plot(painter, style, rect, title, "hardware price (USD, log scale)", "generation tok/s (log scale)", 30.0)
    plot.frame()
    if not points:
        plot.empty("No priced build runs the reference model.")
        return
    x_scale, x_ticks = log_scale(min(p.price_usd for p in points) / 1.5, max(p.price_usd for p in points) * 1.5)
    y_scale, y_ticks = log_scale(min(p.tok_s for p in points) / 1.5, max(p.tok_s for p in points) * 1.5)
    plot.x_ticks(x_scale, x_ticks, lambda v: short_number(v, "$"))
    plot.y_ticks(y_scale, y_ticks, lambda v: short_number(v))
    iso_labels = _per_dollar_lines(painter, style, plot, x_scale, y_scale)
    ordered = sorted(points, key=lambda p: p.highlight, reverse=True)
    centres = [QPointF(plot.x(x_scale, p.price_usd), plot.y(y_scale, p.tok_s)) for p in ordered]
    dot = style.pt(3.2)
    taken = [QRectF(c.x() - dot, c.y() - dot, 2 * dot, 2 * dot) for c in centres] + iso_labels
    for p, at in zip(ordered, centres, strict=True):
        color = HIGHLIGHT if p.highlight else PRESET_COLOR
        radius = style.pt(3.2 if p.highlight else 2.2)
        painter.setPen(QPen(QColor("white"), style.pt(0.6)))
        painter.setBrush(QBrush(color))
        painter.drawEllipse(at, radius, radius)
        _point_label(painter, style, plot.area, at, radius, p, taken)


def _per_dollar_lines(painter: QPainter, style: Style, plot: Plot, x_scale: Scale, y_scale: Scale) -> list[QRectF]:
    """Dashed lines of equal tok/s per $1,000: straight on log-log axes, labelled along the line.
    Returns where the labels went, for the point labels to keep clear of."""
    placed: list[QRectF] = []
    painter.save()
    painter.setClipRect(plot.area)
    painter.setFont(style.small)
    for exponent in range(-4, 5):
        per_1000 = 10.0**exponent
        # the visible stretch: from where the line enters (bottom or left edge) to where it leaves
        enter = max(x_scale.low, y_scale.low * 1000 / per_1000)
        leave = min(x_scale.high, y_scale.high * 1000 / per_1000)
        if enter >= leave:
            continue
        a = QPointF(plot.x(x_scale, enter), plot.y(y_scale, per_1000 * enter / 1000))
        b = QPointF(plot.x(x_scale, leave), plot.y(y_scale, per_1000 * leave / 1000))
        painter.setPen(QPen(QColor("#b9c3cd"), style.pt(0.5), Qt.PenStyle.DashLine))
        painter.drawLine(a, b)
        label = f"{per_1000:g} tok/s per $1k"
        if math.dist((a.x(), a.y()), (b.x(), b.y())) < style.metrics(style.small).horizontalAdvance(label) * 1.6:
            continue
        painter.save()
        painter.translate(a + (b - a) * 0.06)
        painter.rotate(math.degrees(math.atan2(b.y() - a.y(), b.x() - a.x())))
        painter.setPen(QColor("#8a96a3"))
        text_box = style.metrics(style.small).boundingRect(label).translated(0, -style.pt(2))
        painter.drawText(QPointF(0, -style.pt(2)), printable(label, painter.font()))
        placed.append(painter.transform().mapRect(text_box))
        painter.restore()
    painter.restore()
    return placed


def _point_label(
    painter: QPainter, style: Style, area: QRectF, at: QPointF, radius: float, point: ScatterPoint, taken: list[QRectF]
) -> None:
    font = style.small_bold if point.highlight else style.small
    metrics = style.metrics(font)
    text = point.label if len(point.label) <= 30 else point.label[:28] + "…"
    w, h, gap = metrics.horizontalAdvance(text), metrics.height(), radius + style.pt(1.5)
    candidates = [
        QRectF(at.x() + dx * (gap + w / 2) - w / 2 + dx * k * w * 0.25, at.y() + dy * (gap + h / 2) - h / 2, w, h)
        for k in (0, 1)
        for dx, dy in ((1, 0), (-1, 0), (0, -1), (0, 1), (1, -1), (1, 1), (-1, -1), (-1, 1), (0, -2), (0, 2))
    ]
    inside = [c for c in candidates if area.contains(c)] or candidates
    box = min(inside, key=lambda c: sum(_overlap(c, t) for t in taken))
    taken.append(box)
    painter.setFont(font)
    painter.setPen(INK if point.highlight else MUTED)
    painter.drawText(
        box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), printable(text, painter.font())
    )


def _overlap(a: QRectF, b: QRectF) -> float:
    both = a.intersected(b)
    return both.width() * both.height() if both.isValid() else 0.0


def _legend_row(painter: QPainter, style: Style, box: QRectF, keys: list[tuple[str, QColor]]) -> None:
    """Keys side by side on one line; a key with an invalid colour is a plain label."""
    metrics = style.metrics(style.small)
    swatch, gap = style.pt(7), style.pt(8)
    x = box.left()
    painter.setFont(style.small)
    for label, color in keys:
        if color.isValid():
            painter.fillRect(QRectF(x, box.center().y() - swatch / 2, swatch, swatch), color)
            x += swatch + style.pt(3)
        painter.setPen(MUTED)
        width = metrics.horizontalAdvance(label)
        painter.drawText(QRectF(x, box.top(), width + 1, box.height()), int(Qt.AlignmentFlag.AlignVCenter), label)
        x += width + gap


def _legend(
    painter: QPainter, style: Style, area: QRectF, keys: list[tuple[str, QColor]], avoid: list[QPointF]
) -> None:
    """A boxed legend in whichever corner of the plot covers the fewest drawn points."""
    metrics = style.metrics(style.small)
    line_h, swatch, pad = metrics.height() * 1.15, style.pt(7), style.pt(3)
    width = max(metrics.horizontalAdvance(label) for label, _ in keys) + swatch + 3 * pad
    height = line_h * len(keys) + 2 * pad
    corners = [
        QRectF(area.right() - pad - width, area.top() + pad, width, height),
        QRectF(area.left() + pad, area.bottom() - pad - height, width, height),
        QRectF(area.right() - pad - width, area.bottom() - pad - height, width, height),
        QRectF(area.left() + pad, area.top() + pad, width, height),
    ]
    box = min(corners, key=lambda c: sum(c.adjusted(-pad, -pad, pad, pad).contains(p) for p in avoid))
    painter.setPen(QPen(QColor("#d5dbe1"), style.pt(0.5)))
    painter.setBrush(QBrush(QColor(255, 255, 255, 235)))
    painter.drawRect(box)
    painter.setFont(style.small)
    for i, (label, color) in enumerate(keys):
        top = box.top() + pad + i * line_h
        painter.fillRect(QRectF(box.left() + pad, top + (line_h - swatch) / 2, swatch, swatch), color)
        painter.setPen(INK)
        text_box = QRectF(box.left() + 2 * pad + swatch, top, width, line_h)
        painter.drawText(
            text_box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), printable(label, painter.font())
        )
