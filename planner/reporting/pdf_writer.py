"""Render `SheetData` to PDF bytes with Qt's own PDF engine (selectable text, embedded fonts)."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from planner.reporting.layout import MUTED, RULE, Style, paginate
from planner.reporting.progress import Steps
from planner.reporting.sections import sheet_blocks
from planner.reporting.sheet_data import SheetData
from planner.reporting.text_fit import printable

RESOLUTION_DPI = 600
MARGIN_MM = 15.0
FOOTER_PT = 18.0
PAGE_SIZES = {"A4": QPageSize.PageSizeId.A4, "Letter": QPageSize.PageSizeId.Letter}

_app: QGuiApplication | None = None


def ensure_gui_app() -> None:
    """Fonts and QPdfWriter need a QGuiApplication; the desktop app has one, the CLI gets one here."""
    global _app
    if QGuiApplication.instance() is None:
        _app = QGuiApplication(["planner"])


def render_pdf(data: SheetData, steps: Steps | None = None) -> tuple[bytes, int]:
    """The PDF's bytes and its page count."""
    return _render(data, steps or Steps())


def _render(data: SheetData, steps: Steps) -> tuple[bytes, int]:
    ensure_gui_app()
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(RESOLUTION_DPI)
    layout = QPageLayout(
        QPageSize(PAGE_SIZES[data.page_size]),
        QPageLayout.Orientation.Portrait,
        QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
        QPageLayout.Unit.Millimeter,
    )
    writer.setPageLayout(layout)
    writer.setTitle(f"{data.title}: {data.build_name}")
    writer.setCreator(f"LLM Build Planner {data.app_version}")
    style = Style(writer)
    width, height = float(writer.width()), float(writer.height())
    pieces = [piece for block in sheet_blocks(data) for piece in block.pieces(style, width)]
    pages = paginate(pieces, height - style.pt(FOOTER_PT))
    painter = QPainter(writer)
    try:
        for number, page in enumerate(pages, start=1):
            steps.report(100 * (number - 1) / len(pages), f"drawing page {number} of {len(pages)}")
            if number > 1:
                writer.newPage()
            for piece, y in page:
                piece.draw(painter, QRectF(0, y, width, piece.height))
            _footer(painter, style, data, QRectF(0, 0, width, height), number, len(pages))
    finally:
        painter.end()
    buffer.close()
    return bytes(array.data()), len(pages)


def _footer(painter: QPainter, style: Style, data: SheetData, page: QRectF, number: int, count: int) -> None:
    top = page.bottom() - style.pt(FOOTER_PT) + style.pt(6)
    painter.setPen(QPen(RULE, style.pt(0.5)))
    painter.drawLine(QPointF(page.left(), top), QPointF(page.right(), top))
    painter.setFont(style.small)
    painter.setPen(MUTED)
    box = QRectF(page.left(), top + style.pt(2), page.width(), page.bottom() - top - style.pt(2))
    right = f"Page {number} of {count}"
    room = box.width() - style.metrics(style.small).horizontalAdvance(right) - style.pt(12)
    left = style.metrics(style.small).elidedText(
        printable(f"{data.build_name}  ·  {data.date}", style.small), Qt.TextElideMode.ElideRight, room
    )
    painter.drawText(box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), left)
    painter.drawText(box, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), right)
