"""Other parts of a build (board, PSU, case, a whole system), each with a price."""

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

COL_NAME, COL_PRICE, COL_QTY, COL_WATTS = range(4)
HEADERS = ("Part", "Price $", "Qty", "Watts")
KEPT_KEYS = ("kind", "price_kind", "as_of", "source_url", "note")


def plain_number(value: float) -> str:
    """2000000 -> '2000000', 1499.5 -> '1499.5': never '2e+06' in a price cell."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


class PartsEditor(QWidget):
    """Signals: `changed()`."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(HEADERS)
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
        self._loading = False

    def set_parts(self, parts: list[dict[str, Any]]) -> None:
        self._loading = True
        self.table.setRowCount(0)
        self._extra = []
        for part in parts:
            self._append(part)
        self._loading = False

    def _append(self, part: dict[str, Any]) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        price = part.get("price_usd")
        values = (
            part.get("name", ""),
            "" if price is None else plain_number(price),
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

    def parts(self) -> list[dict[str, Any]]:
        """The parts as build-spec dicts; a non-numeric cell raises ValueError."""
        parts = []
        for row in range(self.table.rowCount()):
            name = self._text(row, COL_NAME)
            if not name:
                continue
            price_text = self._text(row, COL_PRICE).replace(",", "").replace("$", "")
            part: dict[str, Any] = {
                **self._extra[row],
                "name": name,
                "price_usd": float(price_text) if price_text else None,
                "quantity": int(self._text(row, COL_QTY) or 1),
                "power_w": float(self._text(row, COL_WATTS) or 0),
            }
            parts.append(part)
        return parts

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
            self.changed.emit()

    def _on_table_item_changed(self, _item: QTableWidgetItem) -> None:
        if not self._loading:
            self.changed.emit()
