"""The catalog browser: every GPU, chip, CPU, model, quant, preset and measurement, with sources.

Custom GPUs and models (typed in, or imported from a config.json or a GGUF file's
metadata) and price overrides live in the user database and show up here flagged
"custom" / "(yours)". GGUF import runs on a worker; the window never waits for it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from planner.catalog.listing import list_entries
from planner.catalog.model_import import model_from_config_json, model_from_gguf
from planner.errors import PlannerError
from planner.ui.catalog_dialogs import CustomGpuDialog, CustomModelDialog, PriceDialog
from planner.ui.catalog_model import (
    KIND_LABELS,
    PRICE_TABLES,
    CatalogTableModel,
    Row,
    details_html,
    overrides_for,
    row_kind,
    row_sources,
    search_proxy,
    with_override,
)
from planner.ui.hf_search_box import HfSearchBox, button
from planner.ui.services import Services
from planner.ui.state import PlannerState
from planner.ui.workers import Worker


class CatalogPane(QWidget):
    """Signals: `entries_changed()` (a custom entry or price was saved), `import_finished(object)`
    (the imported model row), `import_failed(str)` (why an import added nothing)."""

    entries_changed = Signal()
    import_finished = Signal(object)
    import_failed = Signal(str)

    def __init__(self, state: PlannerState, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.services = services
        self.user_catalog = services.user_catalog()
        self.import_worker: Worker | None = None
        self.model = CatalogTableModel(self)
        self.proxy = search_proxy(self.model)
        self._build_ui()
        self.set_kind("gpus")

    def _build_ui(self) -> None:
        self.kind_combo = QComboBox()
        for key, label in KIND_LABELS.items():
            self.kind_combo.addItem(label, key)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_changed)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search names, aliases, vendors…")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self._on_search_edit_changed)
        self.count_label = QLabel()
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        top.addWidget(self.kind_combo)
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.count_label)

        self.view = QTableView()
        self.view.horizontalHeader().setResizeContentsPrecision(60)  # size columns from 60 rows, not 1,300
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.selectionModel().selectionChanged.connect(self._on_view_selection_changed)
        self.details = QTextBrowser()
        self.details.setOpenExternalLinks(True)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.view)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        bottom = QHBoxLayout()
        self.add_gpu_button = button("Add GPU…", self._on_add_gpu_button_clicked, bottom)
        self.add_model_button = button("Add model…", self._on_add_model_button_clicked, bottom)
        self.import_config_button = button("Import config.json…", self._on_import_config_button_clicked, bottom)
        self.import_gguf_button = button("Import GGUF…", self._on_import_gguf_button_clicked, bottom)
        self.price_button = button("Set your price…", self._on_price_button_clicked, bottom)
        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.hide()
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        bottom.addWidget(self.progress_bar)
        bottom.addWidget(self.status_label, 1)

        self.hf_box = HfSearchBox(self.services)
        self.hf_box.model_found.connect(lambda found: self._imported(found.model))  # always has a model row
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.hf_box)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

    def rows_for(self, kind: str) -> list[Row]:
        catalog = self.services.catalog
        if kind == "measurements":
            return catalog.table("measurements")
        rows = list_entries(catalog, kind)  # includes your custom entries (services.load_user_catalog)
        overrides = self.services.userdb.prices()
        return [with_override(kind, r, overrides) for r in rows]

    def set_kind(self, kind: str) -> None:
        index = self.kind_combo.findData(kind)
        if index == self.kind_combo.currentIndex():
            self.refresh()
        else:
            self.kind_combo.setCurrentIndex(index)  # refreshes through _on_kind_combo_changed

    def refresh(self) -> None:
        kind = str(self.kind_combo.currentData())
        self.model.set_rows(kind, self.rows_for(kind))
        self.view.resizeColumnsToContents()
        for column in range(self.model.columnCount()):
            self.view.setColumnWidth(column, min(self.view.columnWidth(column), 260))
        self._update_count()
        self._show_details(None)

    def _update_count(self) -> None:
        self.count_label.setText(f"{self.proxy.rowCount()} of {self.model.rowCount()}")

    def selected_row(self) -> Row | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(self.proxy.mapToSource(rows[0]).row()) if rows else None

    def select(self, item_id: str) -> bool:
        """Select the visible row whose id is `item_id`."""
        for proxy_row in range(self.proxy.rowCount()):
            source = self.proxy.mapToSource(self.proxy.index(proxy_row, 0))
            if self.model.row_at(source.row()).get("id") == item_id:
                self.view.selectRow(proxy_row)
                return True
        return False

    def _show_details(self, row: Row | None) -> None:
        self.price_button.setEnabled(row is not None and row_kind(self.model.kind, row) in PRICE_TABLES)
        if row is None:
            self.details.setHtml("<p><i>Select a row to see its details and sources.</i></p>")
            return
        kind = self.model.kind
        overrides = overrides_for(kind, row, self.services.userdb.prices())
        self.details.setHtml(details_html(kind, row, overrides, row_sources(self.services.catalog, kind, row)))

    # ---- actions (tests call these directly) -------------------------------------------
    def add_custom_gpu(self, row: Row) -> None:
        """Saved on a worker; `entries_changed` follows, or an error in the status line."""
        self._write(
            lambda: self.user_catalog.add_gpu(row), lambda: self._saved("gpus", row, f"Added custom GPU {row['name']}")
        )

    def _imported(self, row: Row) -> None:
        self.add_custom_model(row, lambda: self.import_finished.emit(row))

    def add_custom_model(self, row: Row, then: Callable[[], None] | None = None) -> None:
        def saved() -> None:
            self._saved("models", row, f"Added model {row['name']}")
            if then is not None:
                then()

        self._write(lambda: self.user_catalog.add_model(row), saved)

    def _write(self, job: Callable[[], object], then: Callable[[], None]) -> None:
        """User-database writes may wait on another program's lock: never on the UI thread."""
        self._set_status("Saving…")
        self.services.workers.start(
            lambda _progress, _cancelled: job(),
            finished=lambda _result: then(),
            failed=lambda reason: self._set_status(f"Not saved: {reason}", error=True),
        )

    def _saved(self, kind: str, row: Row, message: str) -> None:
        self.state.reload_user_catalog()
        self.search_edit.clear()
        self.set_kind(kind)
        self.select(row["id"])
        self._set_status(message)
        self.entries_changed.emit()

    def import_config_json(self, path: Path) -> bool:
        """Read and check the file here (small); save on a worker; `import_finished` once saved."""
        try:
            row = model_from_config_json(path)
        except PlannerError as exc:
            self._import_failed(str(exc))
            return False
        self.add_custom_model(row, lambda: self.import_finished.emit(row))
        return True

    def import_gguf(self, path: Path) -> Worker:
        """Read the file's metadata on a worker; `import_finished` or `import_failed` follows."""
        self.import_gguf_button.setEnabled(False)
        self.progress_bar.setValue(0)
        self.progress_bar.show()
        self._set_status(f"Reading {path.name}…")
        self.import_worker = self.services.workers.start(
            lambda progress, _cancelled: model_from_gguf(path, progress),
            finished=self._on_import_worker_finished,
            failed=self._on_import_worker_failed,
            progressed=self._on_import_worker_progressed,
        )
        return self.import_worker

    def set_price_override(self, row: Row, price_kind: str, price_usd: float) -> None:
        table = PRICE_TABLES[row_kind(self.model.kind, row)]

        def saved() -> None:
            self.state.reload_user_catalog()
            self.refresh()
            self.select(row["id"])
            self._set_status(f"Your {price_kind} price for {row['name']}: ${price_usd:,.2f}")
            self.entries_changed.emit()

        self._write(lambda: self.services.userdb.set_price(table, row["id"], price_kind, price_usd), saved)

    def _set_status(self, text: str, error: bool = False) -> None:
        self.status_label.setStyleSheet("color: #b00020" if error else "")
        self.status_label.setText(text)

    def _import_failed(self, message: str) -> None:
        self._set_status(f"Import failed: {message}", error=True)
        self.import_failed.emit(message)

    def _on_kind_combo_changed(self, _index: int) -> None:
        self.refresh()

    def _on_search_edit_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._update_count()

    def _on_view_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_details(self.selected_row())

    def _on_add_gpu_button_clicked(self) -> None:
        dialog = CustomGpuDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.add_custom_gpu(dialog.row())

    def _on_add_model_button_clicked(self) -> None:
        dialog = CustomModelDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.add_custom_model(dialog.row())

    def _on_import_config_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a config.json", "", "config.json (*.json)")
        if path:
            self.import_config_json(Path(path))

    def _on_import_gguf_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a GGUF model", "", "GGUF models (*.gguf);;All files (*)")
        if path:
            self.import_gguf(Path(path))

    def _on_price_button_clicked(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        dialog = PriceDialog(row["name"], row.get("price_override_usd") or row.get("price_new_usd"), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.set_price_override(row, *dialog.values())

    def _on_import_worker_progressed(self, percent: int, text: str) -> None:
        self.progress_bar.setValue(percent)
        self._set_status(text)

    def _on_import_worker_finished(self, row: Row) -> None:
        self._import_done()
        self.add_custom_model(row, lambda: self.import_finished.emit(row))

    def _on_import_worker_failed(self, message: str) -> None:
        self._import_done()
        self._import_failed(message)

    def _import_done(self) -> None:
        self.import_worker = None
        self.progress_bar.hide()
        self.import_gguf_button.setEnabled(True)
