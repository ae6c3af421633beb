"""The "Run it" panel: llama.cpp's settings by llama.cpp's names, the commands that run them with
a copy button, a best-settings search, and the speed/VRAM chart against offload."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from planner.core.llama_settings import CACHE_TYPE_BYTES, ENGINES, FLASH_ATTN, LlamaSettings
from planner.errors import PlannerError
from planner.estimation.run_answer import RunAnswer
from planner.planning.best_runner import RunTarget, best_answer
from planner.ui.offload_chart import OffloadChart
from planner.ui.services import Services
from planner.ui.state import PlannerState
from planner.ui.workers import Worker

UBATCHES = (128, 256, 512, 1024, 2048, 4096)
COMMAND_TABS = (("llama-server", "llama_server"), ("llama-cli", "llama_cli"), ("Ollama", "ollama"))


def best_job(target: RunTarget, settings: LlamaSettings, objective: str) -> object:
    def job(progress: object, cancelled: object) -> RunAnswer:
        # Offload and cache knobs are searched; engine, context, slots and threads are kept.
        return best_answer(target, settings, {"engine", "context", "parallel", "threads"}, objective)

    return job


class RunItPanel(QGroupBox):
    """Signals: none of its own; edits go to `state.set_settings`, and it listens to
    `state.answer_changed` and `state.settings_changed`."""

    def __init__(self, state: PlannerState, services: Services, parent: QWidget | None = None) -> None:
        super().__init__("Run it", parent)
        self.state, self.services = state, services
        self._worker: Worker | None = None
        self._syncing = False
        self.engine = QComboBox(self)
        self.engine.addItems(ENGINES)
        self.offload = QSpinBox(self)
        self.offload_label = QLabel("Experts in RAM (--n-cpu-moe)", self)
        self.flash = QComboBox(self)
        self.flash.addItems(FLASH_ATTN)
        self.ubatch = QComboBox(self)
        for ub in UBATCHES:
            self.ubatch.addItem(str(ub), ub)
        self.cache_k, self.cache_v = QComboBox(self), QComboBox(self)
        for combo in (self.cache_k, self.cache_v):
            combo.addItems(list(CACHE_TYPE_BYTES))
        self.parallel = QSpinBox(self)
        self.parallel.setRange(1, 64)
        form = QFormLayout()
        form.addRow("Engine", self.engine)
        form.addRow(self.offload_label, self.offload)
        form.addRow("Flash attention (-fa)", self.flash)
        form.addRow("U-batch (-ub)", self.ubatch)
        form.addRow("K cache (-ctk)", self.cache_k)
        form.addRow("V cache (-ctv)", self.cache_v)
        form.addRow("Slots (-np)", self.parallel)
        self.objective = QComboBox(self)
        self.objective.addItem("fastest generation", "speed")
        self.objective.addItem("longest context", "context")
        self.objective.addItem("fastest prompt", "prompt")
        self.best_button = QPushButton("Find best settings", self)
        best_row = QHBoxLayout()
        best_row.addWidget(self.objective, 1)
        best_row.addWidget(self.best_button)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.commands = QTabWidget(self)
        self.command_texts: dict[str, QPlainTextEdit] = {}
        for title, key in COMMAND_TABS:
            text = QPlainTextEdit(self)
            text.setReadOnly(True)
            text.setMaximumHeight(90)
            self.command_texts[key] = text
            self.commands.addTab(text, title)
        self.commands.setMaximumHeight(130)
        self.copy_button = QPushButton("Copy", self)
        self.chart = OffloadChart(state, services, self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(best_row)
        layout.addWidget(self.status)
        layout.addWidget(self.commands)
        layout.addWidget(self.copy_button)
        layout.addWidget(self.chart)
        for combo in (self.engine, self.flash, self.ubatch, self.cache_k, self.cache_v):
            combo.currentIndexChanged.connect(self._on_control_changed)
        for spin in (self.offload, self.parallel):
            spin.valueChanged.connect(self._on_control_changed)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.best_button.clicked.connect(self._on_best_button_clicked)
        state.settings_changed.connect(self._on_state_settings_changed)
        state.answer_changed.connect(self._on_state_answer_changed)
        self._on_state_settings_changed()
        self._on_state_answer_changed(state.answer)

    # ---- state -> widgets ------------------------------------------------------------
    def _on_state_settings_changed(self) -> None:
        s = self.state.settings
        model = self.services.catalog.model(self.state.model_id)
        self._syncing = True
        try:
            self.engine.setCurrentText(s.engine)
            if model.is_moe:
                self.offload_label.setText("Experts in RAM (--n-cpu-moe)")
                self.offload.setRange(0, model.n_layers)
                self.offload.setSpecialValueText("")
                self.offload.setValue(model.n_layers if s.cpu_moe else s.n_cpu_moe)
            else:
                self.offload_label.setText("GPU layers (-ngl)")
                self.offload.setRange(-1, model.n_layers + 1)
                self.offload.setSpecialValueText("as many as fit")
                self.offload.setValue(-1 if s.gpu_layers is None else s.gpu_layers)
            self.flash.setCurrentText(s.flash_attn)
            self.ubatch.setCurrentIndex(max(self.ubatch.findData(s.ubatch), 0))
            self.cache_k.setCurrentText(s.cache_type_k)
            self.cache_v.setCurrentText(s.cache_type_v)
            self.parallel.setValue(s.parallel)
        finally:
            self._syncing = False

    def _on_state_answer_changed(self, answer: RunAnswer | None) -> None:
        for _, key in COMMAND_TABS:
            text = "" if answer is None else getattr(answer.commands, key)
            if key == "ollama" and answer is not None and answer.commands.ollama_notes:
                text += "\n# " + "\n# ".join(answer.commands.ollama_notes)
            self.command_texts[key].setPlainText(text)

    # ---- widgets -> state ------------------------------------------------------------
    def _on_control_changed(self) -> None:
        if self._syncing:
            return
        model = self.services.catalog.model(self.state.model_id)
        value = self.offload.value()
        offload = (
            {"n_cpu_moe": value, "cpu_moe": False} if model.is_moe else {"gpu_layers": None if value < 0 else value}
        )
        try:
            settings = replace(
                self.state.settings,
                engine=self.engine.currentText(),
                flash_attn=self.flash.currentText(),
                ubatch=int(self.ubatch.currentData()),
                batch=max(self.state.settings.batch, int(self.ubatch.currentData())),
                cache_type_k=self.cache_k.currentText(),
                cache_type_v=self.cache_v.currentText(),
                parallel=self.parallel.value(),
                **offload,
            )
        except PlannerError as exc:
            self.status.setText(str(exc))
            return
        self.status.setText("")
        self.state.set_settings(settings)

    def _on_copy_button_clicked(self) -> None:
        key = COMMAND_TABS[self.commands.currentIndex()][1]
        QGuiApplication.clipboard().setText(self.command_texts[key].toPlainText())
        self.status.setText(f"Copied the {COMMAND_TABS[self.commands.currentIndex()][0]} command.")

    def _on_best_button_clicked(self) -> None:
        answer = self.state.answer
        if answer is None:
            return
        e = answer.estimate
        target = RunTarget(self.services.estimator, e.build, e.model.id, self.state.quant, self.state.workload)
        if self._worker is not None:
            self._worker.cancel()
        self.best_button.setEnabled(False)
        self.status.setText("Searching settings…")
        self._worker = self.services.workers.start(
            best_job(target, self.state.settings, str(self.objective.currentData())),  # type: ignore[arg-type]
            finished=self._on_worker_finished,
            failed=self._on_worker_failed,
        )

    def _on_worker_finished(self, answer: RunAnswer) -> None:
        self._worker = None
        self.best_button.setEnabled(True)
        chosen = answer.settings
        self.state.set_settings(
            replace(chosen, gpu_layers=chosen.gpu_layers if not self._is_moe() else None, threads=None)
        )
        self.status.setText("Best settings: " + str((answer.best or {}).get("summary", "")))

    def _on_worker_failed(self, message: str) -> None:
        self._worker = None
        self.best_button.setEnabled(True)
        self.status.setText(message.splitlines()[0])

    def _is_moe(self) -> bool:
        return self.services.catalog.model(self.state.model_id).is_moe
