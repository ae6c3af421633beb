"""The workload's "one user / N users" switch, the serving inputs and their results.

Signals: `mode_changed(bool)` (True for N users), `served(object)` (a `ServeView`, or None
when the build cannot serve the model; the reason is in `message`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from planner.core.dataflow import DataflowAnswer
from planner.core.hardware import Build
from planner.core.serving_formats import ENGINES
from planner.estimation.serving_front import ServeResult, ServingEstimator
from planner.ui.format import Money
from planner.ui.services import Services
from planner.ui.state import PlannerState
from planner.ui.workers import Progress

SWEEP_POINTS = 48


@dataclass(frozen=True)
class ServeView:
    point: dict[str, Any]
    users: np.ndarray
    aggregate: np.ndarray
    per_user: np.ndarray
    max_users: int


def engines_for(build: Build) -> list[str]:
    vendors = {a.vendor for a in build.accelerators}
    return [name for name, e in ENGINES.items() if vendors and vendors <= set(e.vendors)]


def serve_job(serving: ServingEstimator, build: Build, request: dict[str, Any]) -> ServeView | str:
    """Worker body: one point for the chosen users and a sweep from 1 to past the KV limit."""
    result = serving.serve_build(build, request)
    if isinstance(result, DataflowAnswer):
        return result.summary(with_sources=True)
    assert isinstance(result, ServeResult)
    top = max(result.setup.max_users * 2, int(request["users"]) * 2, 16)
    users = np.unique(np.geomspace(1, top, SWEEP_POINTS).round())
    curve = result.sweep(users)
    return ServeView(result.points()[0], users, curve["output_tok_s"], curve["per_user_tok_s"], result.setup.max_users)


class ServingPanel(QWidget):
    mode_changed = Signal(bool)
    served = Signal(object)

    def __init__(self, state: PlannerState, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.services = state, services
        self.one_user = QRadioButton("One user", self)
        self.many_users = QRadioButton("N users", self)
        self.one_user.setChecked(True)
        self.mode = QButtonGroup(self)
        self.mode.addButton(self.one_user)
        self.mode.addButton(self.many_users)
        self.users = QSpinBox(self)
        self.users.setRange(1, 100_000)
        self.users.setValue(8)
        self.engine = QComboBox(self)
        self.format = QComboBox(self)
        self.output = QSpinBox(self)
        self.output.setRange(1, 1_000_000)
        self.output.setValue(256)
        self.output.setSuffix(" tokens")
        self.reading = QDoubleSpinBox(self)
        self.reading.setRange(1.0, 1000.0)
        self.reading.setValue(10.0)
        self.reading.setSuffix(" tok/s")
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.message = ""
        self.view: ServeView | None = None
        switch = QHBoxLayout()
        switch.addWidget(self.one_user)
        switch.addWidget(self.many_users)
        switch.addStretch(1)
        form = QFormLayout(self)
        form.addRow("Workload", switch)
        self.rows = [
            ("Users", self.users),
            ("Engine", self.engine),
            ("Weights", self.format),
            ("Output per request", self.output),
            ("Reading speed", self.reading),
        ]
        for label, widget in self.rows:
            form.addRow(label, widget)
        form.addRow(self.result)
        self._generation = 0
        self._fill_engines()
        self._show_inputs(False)
        self.many_users.toggled.connect(self._on_many_users_toggled)
        self.users.valueChanged.connect(self._on_input_changed)
        self.engine.activated.connect(self._on_engine_activated)
        self.format.activated.connect(self._on_input_changed)
        self.output.valueChanged.connect(self._on_input_changed)
        state.estimate_changed.connect(self._on_state_changed)
        state.estimate_failed.connect(self._on_state_changed)
        state.build_changed.connect(self._on_state_build_changed)

    @property
    def is_many(self) -> bool:
        return self.many_users.isChecked()

    def _show_inputs(self, visible: bool) -> None:
        form = self.layout()
        assert isinstance(form, QFormLayout)
        for _label, widget in self.rows:
            form.setRowVisible(widget, visible)
        form.setRowVisible(self.result, visible)

    def _fill_engines(self) -> None:
        current = self.engine.currentText()
        self.engine.clear()
        names = engines_for(self.state.build)
        self.engine.addItems(names)
        if current in names:
            self.engine.setCurrentText(current)
        elif "vllm" in names and any(a.segment == "datacenter" for a in self.state.build.accelerators):
            self.engine.setCurrentText("vllm")
        self._fill_formats()

    def _fill_formats(self) -> None:
        self.format.clear()
        engine = ENGINES.get(self.engine.currentText())
        if engine is None or engine.name == "llama.cpp":
            self.format.addItem("the GGUF quantization above", "")
            return
        for name in engine.formats:
            self.format.addItem(name, name)
        self.format.setCurrentIndex(max(self.format.findData("FP8"), 0))

    def request(self) -> dict[str, Any]:
        quant = self.format.currentData() or self.state.quant
        return {
            "model": self.state.model_id,
            "quant": quant,
            "engine": self.engine.currentText() or "llama.cpp",
            "users": self.users.value(),
            "input": self.state.workload.prompt,
            "output": self.output.value(),
        }

    def recompute(self) -> None:
        if not self.is_many:
            return
        self._generation += 1
        generation, build, request = self._generation, self.state.build, self.request()
        serving = self.services.serving

        def job(_progress: Progress, _cancelled: Callable[[], bool]) -> tuple[int, ServeView | str]:
            return generation, serve_job(serving, build, request)

        def failed(message: str) -> None:
            self._on_worker_failed(generation, message)

        self.services.workers.start(job, finished=self._on_worker_finished, failed=failed)

    def _on_worker_finished(self, outcome: tuple[int, ServeView | str]) -> None:
        generation, view = outcome
        if generation != self._generation:
            return
        if isinstance(view, str):
            self.view, self.message = None, view
            self.result.setText(view)
            self.served.emit(None)
            return
        self.view, self.message = view, ""
        p = view.point
        usd = "-" if p["usd_per_mtok"] is None else Money(self.services.settings)(p["usd_per_mtok"], 3)
        self.result.setText(
            f"{p['output_tok_s']:,.0f} tok/s in all, {p['per_user_tok_s']:,.1f} tok/s per user "
            f"(likely {p['per_user_tok_s_range'][0]:,.1f}-{p['per_user_tok_s_range'][1]:,.1f}); "
            f"first token {p['ttft_s']:.2f} s; {p['tpot_ms']:.1f} ms per token; "
            f"KV cache holds {p['max_users']:,} users; {usd}/Mtok; {p['joules_per_token']:.2f} J/token"
        )
        self.served.emit(view)

    def _on_worker_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.view, self.message = None, message
            self.result.setText(message)
            self.served.emit(None)

    def _on_many_users_toggled(self, many: bool) -> None:
        self._show_inputs(many)
        self.mode_changed.emit(many)
        self.recompute()

    def _on_engine_activated(self, _index: int) -> None:
        self._fill_formats()
        self.recompute()

    def _on_input_changed(self, *_args: object) -> None:
        self.recompute()

    def _on_state_build_changed(self, _build: object) -> None:
        self._fill_engines()

    def _on_state_changed(self, *_args: object) -> None:
        self.recompute()
