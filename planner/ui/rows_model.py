"""The shared part of the app's table models: a list of rows under fixed headers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex


class CurrencyLabel(Protocol):
    def label(self, text: str) -> str: ...


class RowsTableModel(QAbstractTableModel, Generic[T]):
    """Subclasses set `HEADERS` (and `HEADER_TIPS`) and implement `data()`.

    With `money` set (a `planner.ui.format.Money`), a "$" in a header or tip shows in the user's currency.
    """

    HEADERS: tuple[str, ...] = ()
    HEADER_TIPS: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None, money: CurrencyLabel | None = None) -> None:
        super().__init__(parent)
        self._rows: list[T] = []
        self.money = money

    def currency_changed(self) -> None:
        """The currency or exchange rate changed: every header and cell shows again."""
        columns = self.columnCount()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, max(columns - 1, 0))
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, columns - 1))

    def reset_rows(self, rows: Iterable[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> T:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._in_currency(self.HEADERS[section])
        if role == Qt.ItemDataRole.ToolTipRole and section < len(self.HEADER_TIPS):
            return self._in_currency(self.HEADER_TIPS[section])
        return None

    def _in_currency(self, text: str) -> str:
        return text if self.money is None else self.money.label(text)
