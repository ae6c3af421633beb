"""The GPU rows of the build composer: a device picker and a count per row."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from planner.catalog.store import Catalog
from planner.ui.searchable_combo import SearchableCombo


def searchable_combo(items: list[tuple[str, str]], parent: QWidget | None = None) -> SearchableCombo:
    """An editable combo whose completer matches anywhere and which takes typed text."""
    return SearchableCombo(items, parent)


class GpuRow(QWidget):
    """Signals: `changed()`, `removed()`."""

    changed = Signal()
    removed = Signal()

    def __init__(self, items: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.device = searchable_combo(items, self)
        self.device.setToolTip("GPU model (type to search)")
        self.count = QSpinBox(self)
        self.count.setRange(1, 64)
        self.count.setPrefix("× ")
        self.count.setToolTip("How many of this GPU")
        remove = QToolButton(self)
        remove.setText("✕")
        remove.setToolTip("Remove this GPU")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.device, 1)
        layout.addWidget(self.count)
        layout.addWidget(remove)
        self.device.activated.connect(self.changed)
        self.count.valueChanged.connect(self.changed)
        remove.clicked.connect(self.removed)
        self.custom: dict[str, Any] | None = None

    def set_entry(self, entry: dict[str, Any]) -> None:
        self.custom = entry.get("custom")
        if self.custom is not None:
            label = f"{self.custom.get('name', 'Custom GPU')} (not in catalog)"
            if self.device.findData("custom") < 0:
                self.device.addItem(label, "custom")
            self.device.setCurrentIndex(self.device.findData("custom"))
        else:
            index = self.device.findData(entry.get("gpu"))
            self.device.setCurrentIndex(max(index, 0))
        self.count.setValue(int(entry.get("count", 1)))
        editor = self.device.lineEdit()
        if editor is not None:  # show the start of a long name, not its end
            editor.setCursorPosition(0)

    def entry(self) -> dict[str, Any]:
        data = self.device.currentData()
        if data == "custom" and self.custom is not None:
            return {"custom": self.custom, "count": self.count.value()}
        return {"gpu": data, "count": self.count.value()}


class GpuListEditor(QWidget):
    """Any number of GPU rows, mixed models allowed. Signals: `changed()`."""

    changed = Signal()

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.set_catalog(catalog)
        self.rows: list[GpuRow] = []
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        add = QPushButton("Add GPU", self)
        add.clicked.connect(self._on_add_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._rows_layout)
        layout.addWidget(add, 0, Qt.AlignmentFlag.AlignLeft)

    def set_catalog(self, catalog: Catalog) -> None:
        """The GPUs to offer (the catalog's and the user's custom ones); rows made later use them."""
        self._items = [
            (f"{r['name']}  ({r['vram_gb']:g} GB)", r["id"])
            for r in sorted(catalog.gpu_rows.values(), key=lambda r: (r["vendor"], r["name"]))
        ]

    def set_entries(self, entries: list[dict[str, Any]]) -> None:
        for row in self.rows:
            row.deleteLater()
        self.rows = []
        for entry in entries:
            self._add_row().set_entry(entry)

    def entries(self) -> list[dict[str, Any]]:
        return [row.entry() for row in self.rows]

    def _add_row(self) -> GpuRow:
        row = GpuRow(self._items, self)
        row.changed.connect(self.changed)
        row.removed.connect(lambda r=row: self._on_row_removed(r))
        self.rows.append(row)
        self._rows_layout.addWidget(row)
        return row

    def _on_add_clicked(self) -> None:
        row = self._add_row()
        row.set_entry({"gpu": "rtx-3090", "count": 1})
        self.changed.emit()

    def _on_row_removed(self, row: GpuRow) -> None:
        self.rows.remove(row)
        row.deleteLater()
        self.changed.emit()
