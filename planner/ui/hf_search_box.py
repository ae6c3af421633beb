"""The Catalog pane's "Find on Hugging Face" box: search the Hub, then read one repo's
config.json (or a GGUF header) and its GGUF file list. Both run on workers and can be
cancelled; without a network the box says so plainly.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from planner.ui.services import Services
from planner.ui.workers import Worker


class HfSearchBox(QWidget):
    """Signals: `results_shown(object)` (the search rows), `model_found(object)` (a HubModel
    with a model row), `lookup_failed(str)` (why nothing was found)."""

    results_shown = Signal(object)
    model_found = Signal(object)
    lookup_failed = Signal(str)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.worker: Worker | None = None
        self.cancel_requested = False
        self.query = QLineEdit()
        self.query.setPlaceholderText("Find on Hugging Face: a name (qwen3 8b) or a repo (Qwen/Qwen3-8B)")
        self.query.setClearButtonEnabled(True)
        self.query.returnPressed.connect(self._on_search_clicked)
        self.search_button = button("Search", self._on_search_clicked)
        self.import_button = button("Import selected", self._on_import_clicked)
        self.import_button.setEnabled(False)
        self.cancel_button = button("Cancel", self._on_cancel_clicked)
        self.cancel_button.setEnabled(False)
        self.results = QListWidget()
        self.results.setMaximumHeight(130)
        self.results.hide()  # shown once a search has found something
        self.results.itemSelectionChanged.connect(self._on_selection_changed)
        self.results.itemDoubleClicked.connect(lambda _item: self._on_import_clicked())
        self.status = QLabel()
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        for widget in (self.query, self.search_button, self.import_button, self.cancel_button):
            row.addWidget(widget, 1 if widget is self.query else 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.results)
        layout.addWidget(self.status)

    # ---- actions -------------------------------------------------------------------------
    def search(self, text: str) -> None:
        if "/" in text.strip() and " " not in text.strip():
            self.lookup(text.strip())  # a repo id: go straight to it
            return
        self._run(lambda _progress, _cancelled: _hub().search(text), self._on_search_finished, f"Searching {text!r}…")

    def lookup(self, repo: str) -> None:
        self._run(lambda progress, cancelled: _hub().lookup(repo, progress, cancelled), self._on_lookup_finished,
                  f"Reading {repo}…")  # fmt: skip

    def _run(self, job: Callable[..., Any], finished: Callable[[Any], None], message: str) -> None:
        if self.worker is not None:
            return
        self.cancel_requested = False
        self._busy(True, message)
        self.worker = self.services.workers.start(
            job, finished=finished, failed=self._on_failed, progressed=self._on_progressed
        )

    def _busy(self, busy: bool, message: str = "", error: bool = False) -> None:
        self.search_button.setEnabled(not busy)
        self.import_button.setEnabled(not busy and bool(self.results.selectedItems()))
        self.cancel_button.setEnabled(busy)
        self.status.setStyleSheet("color: #b00020" if error else "")
        self.status.setText(message)

    # ---- slots -------------------------------------------------------------------------
    def _on_search_clicked(self) -> None:
        if self.query.text().strip():
            self.search(self.query.text())

    def _on_import_clicked(self) -> None:
        items = self.results.selectedItems()
        if items:
            self.lookup(str(items[0].data(Qt.ItemDataRole.UserRole)))

    def _on_cancel_clicked(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.cancel_requested = True
            self.status.setText("Cancelling…")

    def _on_selection_changed(self) -> None:
        self.import_button.setEnabled(self.worker is None and bool(self.results.selectedItems()))

    def _on_progressed(self, _percent: int, text: str) -> None:
        self.status.setText(text)

    def _on_search_finished(self, rows: object) -> None:
        self.worker = None
        if self.cancel_requested:
            self._busy(False, "Search cancelled.")
            return
        found: list[dict[str, Any]] = list(rows)  # type: ignore[call-overload]
        self.results.clear()
        for r in found:
            label = f"{r['repo']}   {r['downloads'] or 0:,} downloads" + ("   [GGUF]" if r["gguf"] else "")
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, r["repo"])
            self.results.addItem(item)
        self.results.setVisible(bool(found))
        self._busy(False, f"{len(found)} repos. Select one and import it." if found else "Nothing found.")
        self.results_shown.emit(found)

    def _on_lookup_finished(self, result: object) -> None:
        self.worker = None
        assert isinstance(result, _hub().HubModel)
        files = ", ".join(f"{f.quant or f.filename} {f.size_bytes / 1024**3:.1f} GiB" for f in result.gguf_files[:6])
        if result.model is None:
            self._busy(False, f"{result.repo}: {'; '.join(result.notes) or 'no readable model'}", error=True)
            self.lookup_failed.emit(self.status.text())
            return
        gguf = f" GGUF: {files}" if files else ""
        self._busy(False, f"Imported {result.repo} from its {result.model_source}.{gguf}")
        self.model_found.emit(result)

    def _on_failed(self, message: str) -> None:
        self.worker = None
        self._busy(False, message, error=True)
        self.lookup_failed.emit(message)


def button(text: str, slot: Callable[[], None], layout: QHBoxLayout | None = None) -> QPushButton:
    """A push button wired to `slot`, added to `layout` when one is given."""
    widget = QPushButton(text)
    widget.clicked.connect(slot)
    if layout is not None:
        layout.addWidget(widget)
    return widget


def _hub() -> ModuleType:
    """The Hugging Face client, imported on first use: huggingface_hub adds ~0.6 s to every start."""
    from planner.catalog import hf_hub

    return hf_hub
