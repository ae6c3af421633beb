"""The "What can it run" pane: every catalog model × quant on the current build, in a filterable table.

The vectorized sweep (planner.core.sweep) runs in a worker. Rapid changes are coalesced: each request bumps a generation
number and only the newest generation's result reaches the table.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from planner.core.cost import CostSettings, cost_of
from planner.core.estimate import Estimate, estimate
from planner.core.hardware import Build
from planner.core.model import ModelArch
from planner.core.quant import QuantType
from planner.core.sweep import SweepCell, sweep
from planner.core.workload import Workload
from planner.estimation.front import Estimator
from planner.measure.correction import Correction
from planner.measure.this_pc import is_this_pc, measured_entry, tuned_calibration
from planner.ui.can_run_model import COL_MODEL, POPULAR_QUANTS, CanRunFilterProxy, CanRunRow, CanRunTableModel
from planner.ui.format import Money
from planner.ui.services import Services
from planner.ui.state import PlannerState
from planner.ui.workers import Job, Progress, Worker


@dataclass(frozen=True)
class SweepResult:
    generation: int
    build: Build
    rows: list[CanRunRow]
    assumptions: tuple[str, ...]
    seconds: float


def corrected_cell(cell: SweepCell, correction: Correction) -> SweepCell:
    """This PC's cell, adjusted to its measurements (planner.measure.correction)."""
    g, p = correction.generation.value, correction.prompt.value

    def scaled(pair: tuple[float, float] | None, f: float) -> tuple[float, float] | None:
        return None if pair is None else (pair[0] * f, pair[1] * f)

    return replace(
        cell,
        decode_tok_s=None if cell.decode_tok_s is None else cell.decode_tok_s * g,
        decode_range=scaled(cell.decode_range, g),
        prefill_tok_s=None if cell.prefill_tok_s is None else cell.prefill_tok_s * p,
        prefill_range=scaled(cell.prefill_range, p),
    )


def sweep_job(
    build: Build,
    models: list[ModelArch],
    quants: list[QuantType],
    workload: Workload,
    estimator: Estimator,
    generation: int,
    correction: Correction | None = None,
) -> Job:
    """A worker job: one vectorized sweep at the workload's context, plus each row's running cost.

    Expert-only quants (MXFP4) are left out for dense models, which have no such files.
    """
    calibration, cost_settings = estimator.calibration, estimator.cost_settings

    def job(progress: Progress, cancelled: Callable[[], bool]) -> SweepResult | None:
        started = time.perf_counter()
        result = sweep(build, models, quants, [workload.context], workload, calibration)
        rows = []
        for m, model in enumerate(models):
            if cancelled():
                return None
            for q, quant in enumerate(quants):
                if not quant.applies_to(model):
                    continue
                cell = result.cell(m, q, 0)
                if correction is not None and correction.active:
                    cell = corrected_cell(cell, correction)
                busy = cell.gpu_layers < cell.total_layers
                cost = cost_of(build, cell.decode_tok_s, cost_settings, cpu_busy=busy)
                rows.append(CanRunRow(model, quant, cell, cost.usd_per_mtok, result.contexts[0]))
        # the assumptions are the same for every row: take them from one real estimate
        assumptions = estimate(build, models[0], quants[0], workload, calibration, cost_settings).assumptions
        if correction is not None and correction.active:
            assumptions = (*assumptions, correction.describe())
        return SweepResult(generation, build, rows, assumptions, time.perf_counter() - started)

    return job


class CanRunPane(QWidget):
    """Signals: `table_updated(float)` (seconds the sweep took), emitted after new rows are shown."""

    table_updated = Signal(float)

    def __init__(self, state: PlannerState, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.services = services
        catalog = services.catalog
        self._models = [catalog.model(model_id) for model_id in catalog.model_rows]
        self._quants = [catalog.quant(name) for name in catalog.quant_rows]
        self.shown_build: Build | None = None  # the build the table's rows belong to
        self.model = CanRunTableModel(self._measured_for, Money(services.settings))
        self.proxy = CanRunFilterProxy()
        self.proxy.setSourceModel(self.model)
        self._generation = 0
        self._worker: Worker | None = None
        self._inputs: tuple[Build, Workload, CostSettings] | None = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(0)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        self._build_ui()
        state.build_changed.connect(self._on_state_build_changed)
        state.workload_changed.connect(self._on_state_workload_changed)
        state.estimate_changed.connect(self._on_state_estimate_changed)
        state.measurements_changed.connect(self._on_state_measurements_changed)
        state.preferences_changed.connect(self.model.currency_changed)
        self.request_recompute()

    # ---- layout --------------------------------------------------------------
    def _build_ui(self) -> None:
        self.search = QLineEdit(placeholderText="Filter models by name…", clearButtonEnabled=True)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.quant_button = QToolButton(popupMode=QToolButton.ToolButtonPopupMode.InstantPopup)
        self.quant_button.setText("Quants: popular")
        self.quant_button.setToolTip("Which quantizations to list")
        self.quant_button.setMenu(self._quant_menu())
        self.gpu_only = QCheckBox("Runs fully on GPU only")
        self.gpu_only.toggled.connect(self._on_gpu_only_toggled)
        self.status = QLabel()
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar = QHBoxLayout()
        bar.addWidget(self.search, 2)
        bar.addWidget(self.quant_button)
        bar.addWidget(self.gpu_only)
        bar.addWidget(self.status, 3, Qt.AlignmentFlag.AlignRight)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # catalog order: most popular first
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_MODEL, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(COL_MODEL, 210)
        header.setStretchLastSection(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.view.setToolTip("Double-click a row to select that model and quant")
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view)

    def _quant_menu(self) -> QMenu:
        menu = QMenu(self)
        popular = menu.addAction("Popular quants")
        popular.triggered.connect(self._on_popular_triggered)
        every = menu.addAction("All quants")
        every.triggered.connect(self._on_all_triggered)
        menu.addSeparator()
        self.quant_actions: dict[str, QAction] = {}
        for name in self.services.catalog.quant_rows:
            action = menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(name in POPULAR_QUANTS)
            action.toggled.connect(self._on_quant_action_toggled)
            self.quant_actions[name] = action
        return menu

    # ---- filters -------------------------------------------------------------
    def set_quant_filter(self, quants: set[str] | frozenset[str] | None) -> None:
        """Show only these quants (None: all of them) and tick the menu to match."""
        for name, action in self.quant_actions.items():
            action.blockSignals(True)
            action.setChecked(quants is None or name in quants)
            action.blockSignals(False)
        self._apply_quant_actions()

    def _apply_quant_actions(self) -> None:
        chosen = {name for name, action in self.quant_actions.items() if action.isChecked()}
        if chosen == set(self.quant_actions):
            self.proxy.set_quants(None)
            self.quant_button.setText("Quants: all")
        else:
            self.proxy.set_quants(chosen)
            label = "popular" if chosen == POPULAR_QUANTS & set(self.quant_actions) else f"{len(chosen)} chosen"
            self.quant_button.setText(f"Quants: {label}")
        self._show_counts()

    def _on_popular_triggered(self) -> None:
        self.set_quant_filter(POPULAR_QUANTS)

    def _on_all_triggered(self) -> None:
        self.set_quant_filter(None)

    def _on_quant_action_toggled(self, _checked: bool) -> None:
        self._apply_quant_actions()

    def _on_search_text_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self._show_counts()

    def _on_gpu_only_toggled(self, checked: bool) -> None:
        self.proxy.set_gpu_only(checked)
        self._show_counts()

    def _show_counts(self, seconds: float | None = None) -> None:
        text = f"{self.proxy.rowCount():,} of {self.model.rowCount():,} combinations"
        if seconds is not None:
            text += f" · estimated in {seconds:.2f} s"
        self.status.setText(text)

    # ---- recompute -----------------------------------------------------------
    def _on_state_build_changed(self, _build: Build) -> None:
        self._debounce.start()

    def _on_state_workload_changed(self) -> None:
        self._debounce.start()

    def _on_state_estimate_changed(self, _estimate: Estimate | None) -> None:
        self._debounce.start()  # also follows cost-setting changes, which recompute the state

    def _on_debounce_timeout(self) -> None:
        # model and quant changes emit workload_changed too; the sweep covers every model and quant
        if self._current_inputs() != self._inputs:
            self.request_recompute()

    def _current_inputs(self) -> tuple[Build, Workload, CostSettings]:
        return self.state.build, self.state.workload, self.services.estimator.cost_settings

    def request_recompute(self) -> None:
        """Start a sweep for the state's build and workload; an older sweep's result is dropped."""
        self._inputs = self._current_inputs()
        self._generation += 1
        if self._worker is not None:
            self._worker.cancel()
        build, workload, _cost = self._inputs
        estimator, correction = self.services.estimator, None
        if is_this_pc(build):  # measured RAM and PCIe, and the correction when it is on
            facts = self.services.pc_facts()
            estimator = replace(estimator, calibration=tuned_calibration(estimator.calibration, build, facts))
            if self.services.settings.get("adjust_to_measurements") and self.state.this_pc_estimate is not None:
                correction = self.state.this_pc_estimate.correction
        job = sweep_job(build, self._models, self._quants, workload, estimator, self._generation, correction)
        self._worker = self.services.workers.start(
            job, finished=self._on_worker_finished, failed=self._on_worker_failed
        )
        self.status.setText("Estimating every model and quant…")

    def _on_worker_finished(self, result: SweepResult | None) -> None:
        if result is None or result.generation != self._generation:
            return
        self._worker = None
        self.shown_build = result.build
        self.model.this_pc_keys = self._this_pc_keys(result.build)
        self.model.set_rows(result.rows, result.assumptions)
        self._show_counts(result.seconds)
        self.table_updated.emit(result.seconds)

    def _on_state_measurements_changed(self) -> None:
        if is_this_pc(self.state.build):
            self.request_recompute()

    def _on_worker_failed(self, message: str) -> None:
        self._worker = None
        self.status.setText(f"Could not estimate: {message.splitlines()[0]}")

    # ---- selection -----------------------------------------------------------
    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        row = self.model.row_at(self.proxy.mapToSource(index).row())
        self.state.set_model(row.model.id)
        self.state.set_quant(row.quant.name)

    def _this_pc_keys(self, build: Build) -> frozenset[tuple[str, str]]:
        if not is_this_pc(build):
            return frozenset()
        return frozenset(
            (m.model_id, m.quant) for m in self.services.pc_facts().measurements if m.model_id and m.origin == "this PC"
        )

    def _measured_for(self, row: CanRunRow) -> list[dict[str, Any]]:
        """This PC's own runs (when it is the shown build), then public measurements of this model
        and quant on the shown build's GPU (best first)."""
        build = self.shown_build
        mine = []
        if build is not None and (row.model.id, row.quant.name) in self.model.this_pc_keys:
            mine = [
                measured_entry(m) for m in self.services.pc_facts().measurements
                if m.model_id == row.model.id and m.quant == row.quant.name and m.origin == "this PC"
            ]  # fmt: skip
        return mine + self._public_measured_for(row)

    def _public_measured_for(self, row: CanRunRow) -> list[dict[str, Any]]:
        build = self.shown_build
        if build is None or len({g.accelerator.id for g in build.gpus}) != 1:
            return []
        device_id = build.gpus[0].accelerator.id
        return self.services.catalog.measurements(device_id, row.model.id, row.quant.name, build.gpu_count)[:3]
