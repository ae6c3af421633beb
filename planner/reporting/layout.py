"""A small flow layout over QPainter: blocks cut into unbreakable pieces, then paginated.

A table becomes a header piece and one piece per row, so a row never splits across a
page and the header is drawn again at the top of each page the table continues on.
All text is drawn as plain text (never rich text), so user input prints literally.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetricsF, QPaintDevice, QPainter, QPen

from planner.reporting.text_fit import breakable, printable, wrapped_lines

INK = QColor("#1b1f24")
MUTED = QColor("#5b6470")
RULE = QColor("#c9d0d8")
HEADER_FILL = QColor("#e6ebf1")
STRIPE_FILL = QColor("#f5f7f9")
WRAP = int(Qt.TextFlag.TextWordWrap)
WRAP_ANYWHERE = int(Qt.TextFlag.TextWrapAnywhere)
ORPHAN_LINES = 6
MAX_CELL_CHARS = 400  # a table row is never split, so a cell must fit on a page


class Style:
    """Fonts and the point-to-device-unit scale of one paint device."""

    def __init__(self, device: QPaintDevice) -> None:
        self.device = device
        self.dpi = device.logicalDpiY()
        family = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont).family()
        self.body = self._font(family, 8.5)
        self.small = self._font(family, 7.0)
        self.small_bold = self._font(family, 7.0, bold=True)
        self.bold = self._font(family, 8.5, bold=True)
        self.h1 = self._font(family, 17.0, bold=True)
        self.h2 = self._font(family, 11.5, bold=True)

    @staticmethod
    def _font(family: str, size_pt: float, bold: bool = False) -> QFont:
        font = QFont(family)
        font.setStyleHint(QFont.StyleHint.SansSerif)
        font.setPointSizeF(size_pt)
        font.setBold(bold)
        # no "fi" ligatures: copied or searched text must read as typed
        font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
        return font

    def pt(self, points: float) -> float:
        return points * self.dpi / 72.0

    def metrics(self, font: QFont) -> QFontMetricsF:
        return QFontMetricsF(font, self.device)

    def text_height(self, font: QFont, width: float, text: str, flags: int = WRAP) -> float:
        box = self.metrics(font).boundingRect(QRectF(0, 0, max(width, 1.0), 1e9), flags, text)
        return max(box.height(), self.metrics(font).height())


Draw = Callable[[QPainter, QRectF], None]


@dataclass
class Piece:
    """Drawn whole on one page; `header` is drawn first when the piece opens a page."""

    height: float
    draw: Draw
    keep_with_next: bool = False
    header: Piece | None = None


class Block:
    def pieces(self, style: Style, width: float) -> list[Piece]:
        raise NotImplementedError


@dataclass
class Text(Block):
    text: str
    font: str = "body"
    color: QColor = field(default_factory=lambda: QColor(INK))
    space_before_pt: float = 0.0
    space_after_pt: float = 3.0
    anywhere: bool = False  # long URLs wrap at any character
    indent_pt: float = 0.0
    keep_with_next: bool = False

    def pieces(self, style: Style, width: float) -> list[Piece]:
        """One piece per line, so text longer than a page continues on the next one."""
        font: QFont = getattr(style, self.font)
        indent, before, after = style.pt(self.indent_pt), style.pt(self.space_before_pt), style.pt(self.space_after_pt)
        text = printable(self.text, font)
        lines = wrapped_lines(text, font, style.device, width - indent, self.anywhere)
        line_height = style.metrics(font).lineSpacing()
        pieces = []
        for number, line in enumerate(lines):
            top = before if number == 0 else 0.0
            bottom = after if number == len(lines) - 1 else 0.0
            pieces.append(Piece(top + line_height + bottom, self._line_drawer(font, line, indent, top, line_height)))
        pieces[-1].keep_with_next = self.keep_with_next
        for piece in pieces[:-1]:
            piece.keep_with_next = len(lines) <= ORPHAN_LINES  # a short paragraph stays together
        return pieces

    def _line_drawer(self, font: QFont, line: str, indent: float, top: float, height: float) -> Draw:
        def draw(painter: QPainter, rect: QRectF) -> None:
            painter.setFont(font)
            painter.setPen(self.color)
            box = QRectF(rect.left() + indent, rect.top() + top, rect.width() - indent, height)
            painter.drawText(box, int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextSingleLine), line)

        return draw


def heading(text: str, level: int = 2) -> Text:
    font = "h1" if level == 1 else "h2"
    return Text(text, font, space_before_pt=10.0 if level > 1 else 0.0, space_after_pt=4.0, keep_with_next=True)


@dataclass
class Column:
    title: str
    weight: float
    align: str = "left"  # or "right"

    @property
    def flags(self) -> int:
        side = Qt.AlignmentFlag.AlignRight if self.align == "right" else Qt.AlignmentFlag.AlignLeft
        return WRAP | int(side) | int(Qt.AlignmentFlag.AlignTop)


@dataclass
class Table(Block):
    columns: Sequence[Column]
    rows: Sequence[Sequence[str]]
    strong_rows: frozenset[int] = frozenset()  # e.g. totals
    space_after_pt: float = 6.0

    def pieces(self, style: Style, width: float) -> list[Piece]:
        total = sum(c.weight for c in self.columns)
        widths = [width * c.weight / total for c in self.columns]
        pad_x, pad_y = style.pt(3.0), style.pt(2.2)
        header = self._row_piece(style, widths, [c.title for c in self.columns], pad_x, pad_y, "header")
        header.keep_with_next = True
        pieces = [header]
        for i, row in enumerate(self.rows):
            kind = "strong" if i in self.strong_rows else ("stripe" if i % 2 else "plain")
            piece = self._row_piece(style, widths, list(row), pad_x, pad_y, kind)
            piece.header = header
            pieces.append(piece)
        pieces[-1].height += style.pt(self.space_after_pt)
        return pieces

    def _row_piece(
        self, style: Style, widths: list[float], cells: list[str], pad_x: float, pad_y: float, kind: str
    ) -> Piece:
        font = style.small_bold if kind in ("header", "strong") else style.small
        cells = [breakable(printable(_clip(text), font)) for text in cells]
        cells_with = zip(widths, cells, self.columns, strict=True)
        heights = [style.text_height(font, w - 2 * pad_x, text, c.flags) for w, text, c in cells_with]
        height = max(heights) + 2 * pad_y

        def draw(painter: QPainter, rect: QRectF) -> None:
            row = QRectF(rect.left(), rect.top(), rect.width(), height)
            fill = {"header": HEADER_FILL, "stripe": STRIPE_FILL}.get(kind)
            if fill is not None:
                painter.fillRect(row, fill)
            painter.setPen(QPen(RULE, style.pt(0.5)))
            painter.drawLine(row.bottomLeft(), row.bottomRight())
            if kind == "strong":
                painter.drawLine(row.topLeft(), row.topRight())
            painter.setFont(font)
            painter.setPen(INK)
            x = row.left()
            for w, text, column in zip(widths, cells, self.columns, strict=True):
                cell = QRectF(x + pad_x, row.top() + pad_y, w - 2 * pad_x, height - 2 * pad_y)
                painter.drawText(cell, column.flags, text)
                x += w

        return Piece(height, draw)


@dataclass
class Figure(Block):
    """A chart (or several side by side) of a fixed height, drawn by `paint`."""

    height_pt: float
    paint: Callable[[QPainter, QRectF, Style], None]
    space_after_pt: float = 6.0

    def pieces(self, style: Style, width: float) -> list[Piece]:
        height = style.pt(self.height_pt)

        def draw(painter: QPainter, rect: QRectF) -> None:
            painter.save()
            self.paint(painter, QRectF(rect.left(), rect.top(), rect.width(), height), style)
            painter.restore()

        return [Piece(height + style.pt(self.space_after_pt), draw)]


def _clip(text: str) -> str:
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


Page = list[tuple[Piece, float]]


def paginate(pieces: Sequence[Piece], page_height: float) -> list[Page]:
    """Place pieces top to bottom; a `keep_with_next` chain moves to the next page as one."""
    pages: list[Page] = [[]]
    y = 0.0
    i = 0
    while i < len(pieces):
        group = [pieces[i]]
        while group[-1].keep_with_next and i + len(group) < len(pieces):
            group.append(pieces[i + len(group)])
        needed = sum(p.height for p in group)
        if y > 0 and y + needed > page_height:
            pages.append([])
            y = 0.0
            if group[0].header is not None:
                pages[-1].append((group[0].header, y))
                y += group[0].header.height
        for piece in group:
            pages[-1].append((piece, y))
            y += piece.height
        i += len(group)
    return pages
