"""Workload inputs: model (searchable), quant, context window, KV-cache type, prompt length."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QSlider, QSpinBox, QWidget

from planner.catalog.store import Catalog
from planner.ui.composer_gpus import searchable_combo
from planner.ui.services import Services
from planner.ui.state import PlannerState

MIN_LOG2, MAX_LOG2 = 9, 20  # 512 .. 1,048,576 tokens
KV_TYPES = (("f16 (default)", "f16"), ("q8_0 (half the memory)", "q8_0"), ("q4_0 (quarter)", "q4_0"))


def model_items(catalog: Catalog) -> list[tuple[str, str]]:
    """(label, id) of every model, custom ones included, most popular first."""
    return [
        (f"{r['name']}  ({r['params_total_b']:g}B{', MoE' if r.get('n_experts') else ''})", r["id"])
        for r in catalog.model_rows.values()
    ]


def context_label(tokens: int) -> str:
    return f"{tokens // 1024}K tokens" if tokens >= 1024 else f"{tokens} tokens"


class WorkloadPanel(QWidget):
    """Edits the state's model, quant and workload."""

    def __init__(self, state: PlannerState, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        catalog = services.catalog
        self.model = searchable_combo(model_items(catalog), self)
        self.model.setToolTip("Model (type to search by name)")
        self.quant = QComboBox(self)
        for row in catalog.quant_rows.values():
            self.quant.addItem(f"{row['name']}  ({row['body_bpw']:.2f} bpw)", row["name"])
        self.context = QSlider(Qt.Orientation.Horizontal, self)
        self.context.setRange(MIN_LOG2, MAX_LOG2)
        self.context.setPageStep(1)
        self.context.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.context_value = QLabel(self)
        self.context_value.setMinimumWidth(90)
        self.kv = QComboBox(self)
        for label, data in KV_TYPES:
            self.kv.addItem(label, data)
        self.prompt = QSpinBox(self)
        self.prompt.setRange(1, 1_000_000)
        self.prompt.setSingleStep(256)
        self.prompt.setSuffix(" tokens")
        context_row = QHBoxLayout()
        context_row.addWidget(self.context, 1)
        context_row.addWidget(self.context_value)
        form = QFormLayout(self)
        form.addRow("Model", self.model)
        form.addRow("Quantization", self.quant)
        form.addRow("Context window", context_row)
        form.addRow("KV cache", self.kv)
        form.addRow("Prompt length", self.prompt)
        self.sync_from_state()
        self.model.activated.connect(self._on_model_activated)
        self.quant.activated.connect(self._on_quant_activated)
        self.context.valueChanged.connect(self._on_context_value_changed)
        self.kv.activated.connect(self._on_kv_activated)
        self.prompt.valueChanged.connect(self._on_prompt_value_changed)
        state.workload_changed.connect(self.sync_from_state)
        state.catalog_changed.connect(self._on_state_catalog_changed)

    def sync_from_state(self) -> None:
        widgets = (self.model, self.quant, self.context, self.kv, self.prompt)
        for widget in widgets:
            widget.blockSignals(True)
        self.model.setCurrentIndex(max(self.model.findData(self.state.model_id), 0))
        self.quant.setCurrentIndex(max(self.quant.findData(self.state.quant), 0))
        self.context.setValue(max(MIN_LOG2, min(MAX_LOG2, self.state.workload.context.bit_length() - 1)))
        self.context_value.setText(context_label(self.state.workload.context))
        self.kv.setCurrentIndex(max(self.kv.findData(self.state.workload.kv_cache), 0))
        self.prompt.setValue(self.state.workload.prompt)
        for widget in widgets:
            widget.blockSignals(False)

    def _on_state_catalog_changed(self) -> None:
        self.model.blockSignals(True)
        self.model.clear()
        for label, data in model_items(self.state.services.catalog):
            self.model.addItem(label, data)
        self.model.blockSignals(False)
        self.sync_from_state()

    def _on_model_activated(self, _index: int) -> None:
        if self.model.currentData():
            self.state.set_model(self.model.currentData())

    def _on_quant_activated(self, _index: int) -> None:
        self.state.set_quant(self.quant.currentData())

    def _on_context_value_changed(self, log2: int) -> None:
        self.context_value.setText(context_label(2**log2))
        self.state.set_workload(context=2**log2)

    def _on_kv_activated(self, _index: int) -> None:
        self.state.set_workload(kv_cache=self.kv.currentData())

    def _on_prompt_value_changed(self, tokens: int) -> None:
        self.state.set_workload(prompt=tokens)
