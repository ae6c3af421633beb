"""Pagination: rows never split, table headers repeat, headings stay with what follows."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter

from planner.reporting.layout import Piece, paginate


def nothing(painter: QPainter, rect: QRectF) -> None:
    del painter, rect


def table(rows: int, row_h: float = 10.0, header_h: float = 5.0) -> list[Piece]:
    header = Piece(header_h, nothing, keep_with_next=True)
    return [header] + [Piece(row_h, nothing, header=header) for _ in range(rows)]


def test_rows_fit_whole_and_the_header_repeats() -> None:
    pieces = table(10)
    pages = paginate(pieces, page_height=48.0)
    header = pieces[0]
    for page in pages:
        assert page[0][0] is header  # every page of the table starts with its header
        assert all(y + piece.height <= 48.0 for piece, y in page)
    rows = [piece for page in pages for piece, _ in page if piece is not header]
    assert rows == pieces[1:]  # every row once, in order


def test_a_heading_moves_with_the_table_it_introduces() -> None:
    filler = Piece(40.0, nothing)
    heading = Piece(6.0, nothing, keep_with_next=True)
    pieces = [filler, heading, *table(2)]
    pages = paginate(pieces, page_height=55.0)
    assert [piece for piece, _ in pages[0]] == [filler]
    assert pages[1][0][0] is heading


def test_a_piece_taller_than_a_page_still_gets_a_page() -> None:
    tall = Piece(80.0, nothing)
    pages = paginate([Piece(10.0, nothing), tall, Piece(10.0, nothing)], page_height=50.0)
    assert len(pages) == 3
    assert pages[1] == [(tall, 0.0)]
