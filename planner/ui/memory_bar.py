"""A stacked bar per device: weights, KV cache and overhead against capacity."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from planner.core.units import GIB

SEGMENTS = (("weights", QColor("#4e79a7")), ("KV cache", QColor("#f28e2b")), ("overhead", QColor("#9c9c9c")))


class MemoryBar(QWidget):
    """Paints `used` segments (bytes) against `capacity` (bytes); overflow turns red."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = ""
        self.segments: tuple[float, float, float] = (0.0, 0.0, 0.0)
        self.capacity = 0.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(320, 40)

    def set_values(self, label: str, weights: float, kv: float, overhead: float, capacity: float) -> None:
        self.label = label
        self.segments = (weights, kv, overhead)
        self.capacity = capacity
        gib = GIB
        self.setToolTip(
            f"{label}\nweights {weights / gib:.2f} GiB, KV cache {kv / gib:.2f} GiB, "
            f"overhead {overhead / gib:.2f} GiB\ncapacity {capacity / gib:.2f} GiB"
        )
        self.update()

    def paintEvent(self, _event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_color = self.palette().color(QPalette.ColorRole.WindowText)
        bar = QRectF(0, 18, self.width() - 1, self.height() - 20)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.palette().color(QPalette.ColorRole.AlternateBase))
        painter.drawRoundedRect(bar, 3, 3)
        total = sum(self.segments)
        scale = bar.width() / max(self.capacity, total, 1.0)
        x = bar.left()
        for (_name, color), value in zip(SEGMENTS, self.segments, strict=True):
            width = value * scale
            painter.setBrush(color)
            painter.drawRect(QRectF(x, bar.top(), width, bar.height()))
            x += width
        if self.capacity and total > self.capacity:
            painter.setPen(QColor("#d9534f"))
            edge = bar.left() + self.capacity * scale
            painter.drawLine(int(edge), int(bar.top()) - 2, int(edge), int(bar.bottom()) + 2)
        painter.setPen(text_color)
        gib = GIB
        painter.drawText(
            QRectF(0, 0, self.width(), 16),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            f"{self.label}: {total / gib:.1f} of {self.capacity / gib:.1f} GiB",
        )
        painter.end()
