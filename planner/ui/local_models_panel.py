"""The model files already on this PC, in the This PC pane: found on a worker, with fit and speed.

The scan reads GGUF headers only; it runs when the user asks (it can touch many gigabytes of
files, so never at start-up) and can be cancelled. A damaged file keeps its own row.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner.core.hardware import Build
from planner.hardware.local_fit import LocalFit, fit_on
from planner.hardware.local_models import LocalModel, scan
from planner.ui.services import Services
from planner.ui.workers import Worker

COLUMNS = ("Model", "Source", "Quant", "Size", "Context", "Fit on this PC", "Generation", "File")
ScanFn = Callable[..., list[LocalModel]]


def _cells(model: LocalModel, fit: LocalFit | None) -> tuple[str, ...]:
    label = model.tag or model.name
    if model.error:
        return (label, model.source, "", f"{model.size_gib:.2f} GiB", "", model.error, "", model.path)
    fit_text = f"{fit.fit} ({fit.gpu_layers}/{fit.total_layers} layers on GPU)" if fit else "unknown shape"
    speed = f"{fit.gen_tok_s:.0f} tok/s at {fit.context:,}" if fit and fit.gen_tok_s else ""
    return (label, model.source, model.quant, f"{model.size_gib:.2f} GiB", f"{model.context:,}", fit_text, speed,
            model.path)  # fmt: skip


class LocalModelsPanel(QWidget):
    """Signals: `scan_finished(object)` (a list of (LocalModel, LocalFit | None))."""

    scan_finished = Signal(object)

    def __init__(
        self,
        services: Services,
        build_fn: Callable[[], Build | None],
        scan_fn: ScanFn = scan,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.build_fn = build_fn
        self.scan_fn = scan_fn
        self.folders: list[Path] = []
        self.worker: Worker | None = None
        self.rows: list[tuple[LocalModel, LocalFit | None]] = []
        self.status = QLabel("Models on this PC: not scanned yet.")
        self.scan_button = QPushButton("Find models on this PC")
        self.scan_button.clicked.connect(self._on_scan_button_clicked)
        self.folder_button = QPushButton("Add folder…")
        self.folder_button.clicked.connect(self._on_folder_button_clicked)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        for button in (self.scan_button, self.folder_button, self.cancel_button):
            top.addWidget(button)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

    def add_folder(self, folder: Path) -> None:
        if folder not in self.folders:
            self.folders.append(folder)
        self.start_scan()

    def start_scan(self) -> None:
        if self.worker is not None:
            return
        folders, scan_fn, build, catalog = list(self.folders), self.scan_fn, self.build_fn(), self.services.catalog
        calibration = self.services.calibration

        def job(progress: Callable[[int, str], None], cancelled: Callable[[], bool]) -> object:
            models = scan_fn(folders, progress=progress, cancelled=cancelled)
            return [(m, fit_on(m, build, catalog, calibration) if build else None) for m in models]

        self.status.setText("Looking for model files…")
        self.scan_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.worker = self.services.workers.start(
            job, finished=self._on_worker_finished, failed=self._on_worker_failed, progressed=self._on_progressed
        )

    def show_rows(self, rows: list[tuple[LocalModel, LocalFit | None]]) -> None:
        self.rows = rows
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(rows))
        for r, (model, fit) in enumerate(rows):
            for c, text in enumerate(_cells(model, fit)):
                item = QTableWidgetItem(text)
                item.setToolTip(model.error or model.path)
                self.table.setItem(r, c, item)
        self.table.setSortingEnabled(True)
        self.table.resizeColumnsToContents()
        damaged = sum(1 for m, _ in rows if m.error)
        found = f"{len(rows)} model file{'s' if len(rows) != 1 else ''} on this PC"
        self.status.setText(found + (f", {damaged} damaged or partial" if damaged else "") + ".")

    # ---- slots -------------------------------------------------------------------------
    def _on_scan_button_clicked(self) -> None:
        self.start_scan()

    def _on_folder_button_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder with GGUF files")
        if folder:
            self.add_folder(Path(folder))

    def _on_cancel_button_clicked(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.status.setText("Cancelling…")

    def _on_progressed(self, percent: int, text: str) -> None:
        self.status.setText(f"{percent}% — {text}")

    def _on_worker_finished(self, rows: object) -> None:
        self.worker = None
        self.scan_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.show_rows(list(rows))  # type: ignore[call-overload]
        self.scan_finished.emit(rows)

    def _on_worker_failed(self, message: str) -> None:
        self.worker = None
        self.scan_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.status.setText(f"The scan failed: {message}")
