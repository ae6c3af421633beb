"""Other parts of a build (board, PSU, case, a whole system), each with a price.

Prices show and are typed in the user's currency and are kept in US dollars, like every price in a build.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner.ui.format import Money

COL_NAME, COL_PRICE, COL_QTY, COL_WATTS = range(4)
HEADERS = ("Part", "Price $", "Qty", "Watts")  # "$": the user's currency sign
KEPT_KEYS = ("kind", "price_kind", "as_of", "source_url", "note")


def plain_number(value: float) -> str:
    """2000000 -> '2000000', 1499.5 -> '1499.5': never '2e+06' in a price cell."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


class PartsEditor(QWidget):
    """Signals: `changed()`."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, money: Money | None = None) -> None:
        super().__init__(parent)
        self.money = money
        self.table = QTableWidget(0, len(HEADERS), self)
        self._show_headers()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)  # the part's name gets the room
        for col in (COL_PRICE, COL_QTY, COL_WATTS):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(90)
        add, remove = QPushButton("Add part", self), QPushButton("Remove part", self)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        add.clicked.connect(self._on_add_clicked)
        remove.clicked.connect(self._on_remove_clicked)
        self.table.itemChanged.connect(self._on_table_item_changed)
        self._extra: list[dict[str, Any]] = []
        self._shown_prices: list[tuple[str, float | None]] = []  # (price text shown, its US dollars) per row
        self._loading = False

    @property
    def rate(self) -> float:
        """Units of the user's currency per US dollar."""
        return self.money.rate if self.money else 1.0

    def _show_headers(self) -> None:
        self.table.setHorizontalHeaderLabels([self.money.label(h) if self.money else h for h in HEADERS])

    def currency_changed(self) -> None:
        """The currency or exchange rate changed: the header and every price show in the new one."""
        try:
            parts = self.parts()
        except ValueError:  # a half-typed price: leave the cells as they are
            parts = None
        self._show_headers()
        if parts is not None:
            self.set_parts(parts)

    def set_parts(self, parts: list[dict[str, Any]]) -> None:
        self._loading = True
        self.table.setRowCount(0)
        self._extra, self._shown_prices = [], []
        for part in parts:
            self._append(part)
        self._loading = False

    def _append(self, part: dict[str, Any]) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        price = part.get("price_usd")
        price_text = "" if price is None else plain_number(float(price) * self.rate)
        values = (
            part.get("name", ""),
            price_text,
            part.get("quantity", 1),
            part.get("power_w", 0),
        )
        for col, value in enumerate(values):
            item = QTableWidgetItem(str(value))
            if part.get("source_url"):
                item.setToolTip(f"{part.get('price_kind', '')} price, {part.get('as_of', '')}: {part['source_url']}")
            elif col == COL_NAME:
                item.setToolTip(str(value))  # long names stay readable in a narrow composer
            self.table.setItem(row, col, item)
        self._extra.append({k: part[k] for k in KEPT_KEYS if k in part})
        self._shown_prices.append((price_text, price))

    def parts(self) -> list[dict[str, Any]]:
        """The parts as build-spec dicts; a non-numeric cell raises ValueError."""
        parts = []
        for row in range(self.table.rowCount()):
            name = self._text(row, COL_NAME)
            if not name:
                continue
            part: dict[str, Any] = {
                **self._extra[row],
                "name": name,
                "price_usd": self._price_usd(row),
                "quantity": int(self._text(row, COL_QTY) or 1),
                "power_w": float(self._text(row, COL_WATTS) or 0),
            }
            parts.append(part)
        return parts

    def _price_usd(self, row: int) -> float | None:
        """The row's price in US dollars: the kept one while its cell is untouched, else typed ÷ rate."""
        text = self._text(row, COL_PRICE)
        shown, usd = self._shown_prices[row]
        if text == shown:
            return usd
        sign = self.money.symbol.strip() if self.money else "$"
        typed = text.replace(",", "").replace(sign, "").replace("$", "").strip()
        return float(typed) / self.rate if typed else None

    def _text(self, row: int, col: int) -> str:
        item = self.table.item(row, col)
        return item.text().strip() if item else ""

    def _on_add_clicked(self) -> None:
        self._loading = True
        self._append({"name": "New part", "price_usd": 0, "quantity": 1, "power_w": 0, "kind": "other"})
        self._loading = False
        self.changed.emit()

    def _on_remove_clicked(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            del self._extra[row]
            del self._shown_prices[row]
            self.changed.emit()

    def _on_table_item_changed(self, _item: QTableWidgetItem) -> None:
        if not self._loading:
            self.changed.emit()
