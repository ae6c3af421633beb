"""Measure this PC from the This PC pane: RAM bandwidth, llama-bench, Ollama, llama-server;
the results next to the planner's estimates (table and chart); CSV export and import.

Every run is a worker job (planner.measure takes progress and cancel callables); a run's
results are stored in one transaction when it finishes, so a cancelled run leaves nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from planner.core.hardware import Build
from planner.errors import PlannerError
from planner.measure.llama_bench import BenchSettings, measure_llama_bench, model_folders
from planner.measure.ram import measure_ram_bandwidth, theoretical_gbs
from planner.measure.records import PcMeasurement
from planner.measure.servers import OLLAMA_URL, measure_ollama, measure_server, ollama_models
from planner.ui.measure_jobs import (
    export_this_pc,
    import_community,
    measured_rows,
    planner_bench_settings,
    store_ram,
    store_run,
)
from planner.ui.measured_chart import MeasuredChart
from planner.ui.measured_model import SORT_ROLE, MeasuredRow, MeasuredTableModel
from planner.ui.run_strip import RunStrip
from planner.ui.services import Services
from planner.ui.state import PlannerState
from planner.ui.workers import Worker

Job = Callable[[Callable[[int, str], None], Callable[[], bool]], Any]


class MeasurePanel(QWidget):
    """Signals: `measurement_started(str)` (what runs), `measurement_finished(object)` (the stored
    result: a RamBandwidth or a list of PcMeasurement), `measurement_failed(str)`,
    `ollama_models_listed(list)` (Ollama's model names, before the user picks one)."""

    measurement_started = Signal(str)
    measurement_finished = Signal(object)
    measurement_failed = Signal(str)
    ollama_models_listed = Signal(list)

    def __init__(self, state: PlannerState, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.services = services
        self.build: Build | None = None  # This PC's build, once detected
        self.memory_channels: int | None = None
        self.memory_mts: int | None = None
        self.worker: Worker | None = None
        self.ram_seconds = 3.0
        self.ask_user = True  # tests turn the model-picking dialog off
        self.ram_buffer_bytes: int | None = None  # default: 16 last-level caches, 256 MiB to 2 GiB
        self._store_result: Callable[[Any], Any] = lambda result: result
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, text, slot in (
            ("ram", "Measure RAM bandwidth", self._on_ram_clicked),
            ("bench", "Run llama-bench…", self._on_bench_clicked),
            ("ollama", "Measure Ollama…", self._on_ollama_clicked),
            ("server", "Measure llama-server…", self._on_server_clicked),
            ("export", "Export CSV…", self._on_export_clicked),
            ("import", "Import CSV…", self._on_import_clicked),
            ("delete", "Delete run", self._on_delete_clicked),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            self.buttons[key] = button
            row.addWidget(button)
        row.addStretch(1)
        self.strip = RunStrip(self)
        self.strip.cancel_clicked.connect(self._on_strip_cancel_clicked)
        self.model = MeasuredTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setToolTip("Select a row and press Delete run to remove that run (all of its results)")
        self.table.horizontalHeader().setStretchLastSection(True)
        self.chart = MeasuredChart(self)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.chart)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.strip)
        layout.addWidget(splitter, 1)
        state.measurements_changed.connect(self._on_state_measurements_changed)
        self.refresh()

    # ---- what is shown ---------------------------------------------------------------
    def set_this_pc(self, build: Build, channels: int | None, mts: int | None) -> None:
        self.build, self.memory_channels, self.memory_mts = build, channels, mts
        self.refresh()

    def rows(self) -> list[MeasuredRow]:
        return measured_rows(self.services, self.build)

    def refresh(self) -> None:
        rows = self.rows()
        self.model.reset_rows(rows)
        self.table.resizeColumnsToContents()
        self.chart.set_rows(rows)
        self.buttons["export"].setEnabled(any(r.measurement.origin == "this PC" for r in rows))
        self.buttons["delete"].setEnabled(bool(rows))

    # ---- running a measurement -------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.worker is not None

    def _start(self, what: str, job: Job, store: Callable[[Any], Any]) -> None:
        if self.worker is not None:
            return
        self._store_result = store
        for button in self.buttons.values():
            button.setEnabled(False)
        self.strip.begin(f"{what}…")
        self.worker = self.services.workers.start(
            job, finished=self._on_worker_finished, failed=self._on_worker_failed, progressed=self._on_worker_progressed
        )
        self.measurement_started.emit(what)

    def _set_status(self, text: str) -> None:
        self.strip.set_status(text)

    def _done(self, text: str) -> None:
        self.worker = None
        for button in self.buttons.values():
            button.setEnabled(True)
        self.strip.end(text)

    def start_ram(self, seconds: float | None = None, buffer_bytes: int | None = None) -> None:
        seconds = seconds or self.ram_seconds
        buffer_bytes = buffer_bytes or self.ram_buffer_bytes
        theory = theoretical_gbs(self.memory_channels, self.memory_mts)
        if theory is None and self.build is not None:
            theory = self.build.ram_bandwidth_gbs
        self._start(
            "Measuring RAM bandwidth",
            lambda progress, cancelled: measure_ram_bandwidth(
                seconds, buffer_bytes=buffer_bytes, theoretical=theory, progress=progress, cancelled=cancelled
            ),
            self._store_ram,
        )

    def bench_settings(self, model: Path) -> BenchSettings:
        return planner_bench_settings(self.state, model)

    def start_llama_bench(self, model: Path, binary: Path | None = None, timeout_s: float = 900.0) -> None:
        settings = self.bench_settings(model)
        folder = str(self.services.settings.get("llama_bench_folder")) or None
        catalog = self.services.catalog
        self._start(
            f"Running llama-bench on {model.name}",
            lambda progress, cancelled: measure_llama_bench(
                model, catalog, settings, binary, Path(folder) if folder else None, timeout_s, progress, cancelled
            ),
            self._store_run,
        )

    def start_ollama(self, url: str, name: str) -> None:
        catalog = self.services.catalog
        self._start(
            f"Measuring {name} through Ollama",
            lambda progress, cancelled: measure_ollama(name, catalog, url, progress=progress, cancelled=cancelled),
            self._store_run,
        )

    def start_server(self, url: str) -> None:
        catalog = self.services.catalog
        self._start(
            "Measuring through llama-server",
            lambda progress, cancelled: measure_server(url, catalog, progress=progress, cancelled=cancelled),
            self._store_run,
        )

    def _store_ram(self, result: Any) -> str:
        return store_ram(self.services, result)

    def _store_run(self, rows: list[PcMeasurement]) -> str:
        return store_run(self.services, rows)

    # ---- import / export ---------------------------------------------------------------
    def export_csv(self, target: Path) -> None:
        self._set_status(export_this_pc(self.services, target))

    def delete_selected_run(self) -> str | None:
        """Delete the run of the selected row (a bad run should not steer the correction)."""
        selected = self.table.selectionModel().selectedRows()
        if not selected:
            self._set_status("Select a measurement first.")
            return None
        row = self.model.row_at(self.proxy.mapToSource(selected[0]).row())
        self.services.measurements.delete_run(row.measurement.run_id)
        self._set_status(f"Deleted the {row.measurement.tool} run of {row.measurement.model_label}.")
        self.state.refresh_measurements()
        return row.measurement.run_id

    def import_csv(self, source: Path) -> None:
        self._set_status(import_community(self.services, source))
        self.state.refresh_measurements()

    # ---- slots ---------------------------------------------------------------------------
    def _on_worker_progressed(self, percent: int, text: str) -> None:
        self.strip.report(percent, text)

    def _on_worker_finished(self, result: Any) -> None:
        try:
            text = str(self._store_result(result))
        except PlannerError as exc:
            self._done(f"Could not store the result: {exc}")
            self.measurement_failed.emit(str(exc))
            return
        self._done(text)
        self.state.refresh_measurements()
        self.measurement_finished.emit(result)

    def _on_worker_failed(self, message: str) -> None:
        self._done(message)
        self.measurement_failed.emit(message)

    def _on_strip_cancel_clicked(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def _on_ram_clicked(self) -> None:
        self.start_ram()

    def _on_bench_clicked(self) -> None:
        start = next((str(f) for f in model_folders() if f.is_dir()), "")
        path, _ = QFileDialog.getOpenFileName(self, "Benchmark which model?", start, "GGUF models (*.gguf)")
        if path:
            self.start_llama_bench(Path(path))

    def list_ollama_models(self, url: str = OLLAMA_URL) -> None:
        """Ask Ollama for its models on a worker; `ollama_models_listed` follows (or a status message)."""
        self._set_status(f"Asking Ollama at {url} for its models…")
        self.services.workers.start(
            lambda _progress, _cancelled: [str(m["name"]) for m in ollama_models(url)],
            finished=lambda names: self._on_ollama_listed(url, names),
            failed=self._set_status,
        )

    def _on_ollama_listed(self, url: str, names: list[str]) -> None:
        self.ollama_models_listed.emit(names)
        if not names:
            self._set_status("Ollama has no models yet: pull one with `ollama pull NAME`.")
            return
        self._set_status("")
        if self.ask_user:
            name, ok = QInputDialog.getItem(self, "Measure through Ollama", "Model:", names, 0, False)
            if ok and name:
                self.start_ollama(url, name)

    def _on_ollama_clicked(self) -> None:
        self.list_ollama_models()

    def _on_server_clicked(self) -> None:
        url, ok = QInputDialog.getText(self, "Measure through llama-server", "llama-server URL:",
                                       text="http://127.0.0.1:8080")  # fmt: skip
        if ok and url.strip():
            self.start_server(url.strip())

    def _on_export_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export this PC's measurements", "measurements.csv", "CSV (*.csv)")
        if path:
            try:
                self.export_csv(Path(path))
            except PlannerError as exc:
                self._set_status(str(exc))

    def _on_import_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import measurements", "", "CSV (*.csv)")
        if path:
            try:
                self.import_csv(Path(path))
            except PlannerError as exc:
                self._set_status(str(exc))

    def _on_delete_clicked(self) -> None:
        self.delete_selected_run()

    def _on_state_measurements_changed(self) -> None:
        self.refresh()
