"""File ▸ Export build sheet…: render the PDF in a worker with progress, then offer to open it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog

from planner.hardware.match import THIS_PC, this_pc
from planner.reporting.export import ExportResult, export_job
from planner.reporting.sheet_data import DEFAULT_CONTEXTS, DEFAULT_QUANTS, DetectedPc, SheetRequest

if TYPE_CHECKING:
    from planner.ui.main_window import MainWindow

LETTER_COUNTRIES = {QLocale.Country.UnitedStates, QLocale.Country.Canada, QLocale.Country.Mexico}


def default_page_size() -> str:
    return "Letter" if QLocale.system().territory() in LETTER_COUNTRIES else "A4"


def sheet_request(window: MainWindow) -> SheetRequest:
    """The current build, led by the current model, quant and context, then the defaults."""
    state, services = window.state, window.services
    quants = tuple(dict.fromkeys((state.quant, *DEFAULT_QUANTS)))
    contexts = tuple(sorted({state.workload.context, *DEFAULT_CONTEXTS}))
    detected = None
    if state.build.name == THIS_PC and services.detection is not None:
        detected = DetectedPc(
            services.detection, this_pc(services.detection, services.catalog), services.pc_facts().measurements
        )
    return SheetRequest(
        build=state.build, origin=str(state.spec.get("name", "")), quants=quants, contexts=contexts,
        page_size=default_page_size(), detected=detected, lead_model=state.model_id,
    )  # fmt: skip


def start_export(window: MainWindow, target: Path | None = None) -> QProgressDialog | None:
    """Ask where to save (unless `target` is given), then export in a worker."""
    if target is None:
        suggested = f"{window.state.spec.get('name', 'build')} build sheet.pdf".replace("/", "-")
        chosen, _ = QFileDialog.getSaveFileName(window, "Export build sheet", suggested, "PDF (*.pdf)")
        if not chosen:
            return None
        target = Path(chosen if chosen.lower().endswith(".pdf") else chosen + ".pdf")
    progress = QProgressDialog("Preparing the build sheet…", "Cancel", 0, 100, window)
    progress.setWindowTitle("Export build sheet")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(300)

    def progressed(percent: int, text: str) -> None:
        progress.setValue(percent)
        progress.setLabelText(text)

    def finished(result: ExportResult) -> None:
        progress.reset()
        window.show_message(f"Build sheet saved: {result.path} ({result.pages} pages)")
        box = QMessageBox(window)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle("Build sheet saved")
        box.setText(f"Saved {result.path.name}.")
        open_button = box.addButton("Open", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.finished.connect(
            lambda _r: (
                box.clickedButton() is open_button and QDesktopServices.openUrl(QUrl.fromLocalFile(str(result.path)))
            )
        )
        box.open()
        window.last_export = result

    def failed(message: str) -> None:
        progress.reset()
        QMessageBox.warning(window, "Export build sheet", message)

    def cancelled() -> None:
        progress.reset()
        window.show_message("Export cancelled; nothing was written")

    job = export_job(sheet_request(window), target, window.services.estimator)
    worker = window.services.workers.start(
        job, finished=finished, failed=failed, progressed=progressed, cancelled=cancelled
    )
    progress.canceled.connect(worker.cancel)
    return progress
