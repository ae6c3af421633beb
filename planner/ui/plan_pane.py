"""The Plan pane: the cheapest builds that run a model at a target speed, a Pareto view and the hardware floor.

Searches run `Planner.plan` in a worker; only the newest search's plan reaches the table and the chart.
The Planner is built once, so searches that change only the filters or the ranking reuse its estimates.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from planner.catalog.builds import spec_price_kind
from planner.core.estimate import Estimate
from planner.core.workload import Workload
from planner.errors import PlannerError
from planner.planning.search import BEST_QUALITY, DEFAULT_MIN_TOK_S, Plan, Planner, PlanRequest, PlanResult
from planner.ui.composer_gpus import searchable_combo
from planner.ui.floor_table import FloorTable
from planner.ui.format import Money, esc
from planner.ui.pareto_chart import ParetoChart
from planner.ui.plan_model import COL_BUILD, COL_RANK, COL_WHY, PlanTableModel, plan_rows, plan_summary, sorting_proxy
from planner.ui.services import Services
from planner.ui.serving_compare import ServingCompareTable
from planner.ui.state import PlannerState
from planner.ui.workers import Job, Progress, Worker

CONTEXTS = (2048, 4096, 8192, 16384, 32768, 65536, 131072)
KV_TYPES = ("f16", "q8_0", "q4_0")
RANK_LABELS = (("Cheapest first", "price"), ("tok/s per $1,000", "perf-per-dollar"), ("Cost per Mtok", "cost-per-mtok"))
SERVING_TAB = "Serving at scale: $/Mtok against load"


def plan_job(planner: Planner, lock: threading.Lock, request: PlanRequest, generation: int) -> Job:
    def job(progress: Progress, cancelled: Callable[[], bool]) -> tuple[int, Plan] | None:
        with lock:  # the Planner's estimate cache is not meant for two threads at once
            return None if cancelled() else (generation, planner.plan(request))

    return job


def _spin(maximum: float, step: float, prefix: str, suffix: str, special: str, decimals: int = 0) -> QDoubleSpinBox:
    """A spin box whose 0 means "no limit" (shown as `special`)."""
    spin = QDoubleSpinBox(maximum=maximum, singleStep=step, prefix=prefix, suffix=suffix, decimals=decimals)
    spin.setSpecialValueText(special)
    spin.setGroupSeparatorShown(True)
    return spin


def _combo(items: list[tuple[str, object]]) -> QComboBox:
    combo = QComboBox()
    for label, data in items:
        combo.addItem(label, data)
    return combo


def _splitter(orientation: Qt.Orientation, *parts: tuple[QWidget, int]) -> QSplitter:
    splitter = QSplitter(orientation)
    for widget, _size in parts:
        splitter.addWidget(widget)
    splitter.setSizes([size for _widget, size in parts])
    return splitter


class PlanPane(QWidget):
    """Signals: `plan_shown(object)` (the Plan now in the table), `search_failed(str)`, `build_saved(str)`."""

    plan_shown = Signal(object)
    search_failed = Signal(str)
    build_saved = Signal(str)

    def __init__(self, state: PlannerState, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.services = state, services
        self.planner = self._new_planner()
        self._lock = threading.Lock()
        self.plan: Plan | None = None
        self.ask_name: Callable[[str], str | None] | None = None  # None: a dialog; tests put a function here
        self._generation = 0
        self._worker: Worker | None = None
        self._money = Money(services.settings)
        self.model = PlanTableModel(self._money, self)
        self.proxy = sorting_proxy(self.model, self)
        self.chart = ParetoChart(self, self._money)
        self.floor = FloorTable(services, self)
        self.serving_claim = ServingCompareTable(services, self)
        self._build_ui()
        self._on_state_workload_changed()
        self._on_state_build_changed()
        state.workload_changed.connect(self._on_state_workload_changed)
        state.estimate_changed.connect(self._on_state_estimate_changed)
        state.build_changed.connect(self._on_state_build_changed)
        state.catalog_changed.connect(self.inputs_changed)
        state.preferences_changed.connect(self._on_state_preferences_changed)
        self.chart.point_clicked.connect(self._on_chart_point_clicked)

    def _new_planner(self) -> Planner:
        services = self.services
        return Planner(services.catalog, services.calibration, services.cost_settings(), services.userdb.builds())

    def inputs_changed(self) -> None:
        """Prices, preferences, saved builds or custom hardware changed: search again with fresh data."""
        self.planner = self._new_planner()
        if self.plan is not None or self._worker is not None:
            self.search()

    def _on_state_preferences_changed(self) -> None:
        """Money in the new currency at once (the budget keeps its value in dollars), then search again."""
        budget_usd = self.budget.value() / self._shown_rate
        self._show_currency()
        self.budget.setValue(budget_usd * self._shown_rate)
        for model in (self.model, self.floor.model, self.serving_claim.model):
            model.currency_changed()
        self.serving_claim.currency_changed()
        self.inputs_changed()

    def _show_currency(self) -> None:
        """Labels that name the currency: the budget's sign, the ranking by value, the serving tab."""
        money = self._money
        self._shown_rate = money.rate
        self.budget.setPrefix(money.symbol)
        self.rank_combo.setItemText(self.rank_combo.findData("perf-per-dollar"), money.label("tok/s per $1,000"))
        self.claims.setTabText(self.claims.indexOf(self.serving_claim), money.label(SERVING_TAB))

    # ---- layout --------------------------------------------------------------
    def _build_ui(self) -> None:
        catalog = self.services.catalog
        self.model_combo = searchable_combo([(r["name"], mid) for mid, r in catalog.model_rows.items()], self)
        self.quant_combo = _combo([*((q, q) for q in catalog.quant_rows), (BEST_QUALITY, BEST_QUALITY)])
        self.quant_combo.setToolTip("best: on each build, the best-quality quant (lowest KL divergence) that qualifies")
        self.context_combo = _combo([(f"{n // 1024}K", n) for n in CONTEXTS])
        self.kv_combo = _combo([(kv, kv) for kv in KV_TYPES])
        self.rank_combo = _combo(list(RANK_LABELS))
        self.budget = _spin(10_000_000, 250, "$", "", "no limit")
        self.prices = _combo([("New prices", False), ("Used prices", True)])
        self.vendor = _combo([("Any vendor", ""), *((v, v) for v in self.planner.known_vendors())])
        self.min_tok_s, self.min_prompt_tok_s = (_spin(100_000, 5, "", " tok/s", "any", 1) for _ in range(2))
        self.min_tok_s.setValue(DEFAULT_MIN_TOK_S)
        self.min_tok_s.setToolTip("Slowest generation worth showing; about 10 tok/s keeps up with reading")
        self.max_power = _spin(100_000, 50, "", " W", "no limit")
        self.gpu_only = QCheckBox("Must fit fully on the GPU")
        self.search_button = QPushButton("Search")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search)
        self.model_combo.setMinimumContentsLength(16)  # the pane must fit the main window's ~990 px tab
        grid = QGridLayout()
        rows = (
            (("Model", self.model_combo), ("Quant", self.quant_combo), ("Context", self.context_combo)),
            (("KV cache", self.kv_combo), ("Budget", self.budget), ("Prices", self.prices)),
            (("Vendor", self.vendor), ("Rank", self.rank_combo), ("Min gen", self.min_tok_s)),
            (("Min prompt", self.min_prompt_tok_s), ("Max power", self.max_power)),
        )  # fmt: skip
        for combo in (self.rank_combo, self.vendor, self.prices):
            combo.setMinimumContentsLength(10)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        for r, fields in enumerate(rows):
            for c, (label, widget) in enumerate(fields):
                grid.addWidget(QLabel(label), r, 2 * c, Qt.AlignmentFlag.AlignRight)
                grid.addWidget(widget, r, 2 * c + 1)
        grid.addWidget(self.gpu_only, 3, 4, 1, 2)
        grid.addWidget(self.search_button, 0, 6)
        grid.setColumnStretch(7, 1)
        self.message = QLabel("Choose a model and the filters, then Search.", wordWrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice = QLabel()
        self.save_button, self.use_button = QPushButton("Save as build…"), QPushButton("Use as current build")
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.use_button.clicked.connect(self._on_use_button_clicked)
        self.view = self._table_view()
        actions = QHBoxLayout()
        actions.addWidget(self.message, 1)
        for widget in (self.notice, self.save_button, self.use_button):
            actions.addWidget(widget)
        top = _splitter(Qt.Orientation.Horizontal, (self.view, 620), (self.chart, 380))
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(actions)
        self.claims = QTabWidget(self)
        self.claims.addTab(self.floor, "Hardware floor")
        self.claims.addTab(self.serving_claim, SERVING_TAB)
        layout.addWidget(_splitter(Qt.Orientation.Vertical, (top, 460), (self.claims, 300)), 1)
        self._on_view_selection_changed()
        self._show_currency()

    def _table_view(self) -> QTableView:
        view = QTableView(sortingEnabled=True)
        view.setModel(self.proxy)
        view.sortByColumn(COL_RANK, Qt.SortOrder.AscendingOrder)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.verticalHeader().hide()
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for col, width in ((COL_BUILD, 210), (COL_WHY, 600)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        view.selectionModel().selectionChanged.connect(self._on_view_selection_changed)
        view.doubleClicked.connect(self._on_use_button_clicked)
        return view

    # ---- the request ---------------------------------------------------------
    def _on_state_workload_changed(self) -> None:
        """The pane's model, quant, context and KV cache start as (and follow) the state's."""
        state = self.state
        self.model_combo.setCurrentIndex(max(self.model_combo.findData(state.model_id), 0))
        self.quant_combo.setCurrentText(state.quant)
        context = state.workload.context
        if self.context_combo.findData(context) < 0:
            self.context_combo.addItem(f"{context:,}", context)
        self.context_combo.setCurrentIndex(self.context_combo.findData(context))
        self.kv_combo.setCurrentText(state.workload.kv_cache)

    def _on_state_build_changed(self, *_build: object) -> None:
        """Used or new prices: the composer's choice."""
        used = spec_price_kind(self.state.spec) == "used"
        if bool(self.prices.currentData()) != used:
            self.prices.setCurrentIndex(self.prices.findData(used))
            if self.plan is not None:
                self.search()

    def request(self) -> PlanRequest:
        """The search the controls describe (every qualifying build: the chart shows them all)."""
        vendor = str(self.vendor.currentData())
        return PlanRequest(
            model=str(self.model_combo.currentData()), quant=self.quant_combo.currentText(),
            context=int(self.context_combo.currentData()), kv_cache=self.kv_combo.currentText(),
            min_tok_s=self.min_tok_s.value(), min_prompt_tok_s=self.min_prompt_tok_s.value(),
            budget_usd=self.budget.value() / self._shown_rate or None, used=bool(self.prices.currentData()),
            vendors=(vendor,) if vendor else (), gpu_only=self.gpu_only.isChecked(),
            max_power_w=self.max_power.value() or None, rank=str(self.rank_combo.currentData()), limit=None,
        )  # fmt: skip

    def search(self) -> None:
        """Run the controls' search in a worker; a still-running older search's plan is dropped."""
        try:
            request = self.request()
        except PlannerError as exc:
            self._show_failure(str(exc))
            return
        self._generation += 1
        if self._worker is not None:
            self._worker.cancel()
        self._worker = self.services.workers.start(
            plan_job(self.planner, self._lock, request, self._generation),
            finished=self._on_worker_finished,
            failed=functools.partial(self._on_worker_failed, self._generation),
        )
        self.message.setText("Searching…")

    def _on_worker_finished(self, outcome: tuple[int, Plan] | None) -> None:
        if outcome is None or outcome[0] != self._generation:
            return
        self._worker = None
        self.show_plan(outcome[1])

    def _on_worker_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self._worker = None
            self._show_failure(message.splitlines()[0])

    def _show_failure(self, message: str) -> None:
        self.message.setText(f"Cannot plan: {esc(message)}")
        self.search_failed.emit(message)

    # ---- showing a plan ------------------------------------------------------
    def show_plan(self, plan: Plan) -> None:
        self.plan = plan
        rows = plan_rows(plan)
        self.message.setText(plan_summary(plan, self._money))
        self.model.set_rows(rows, plan.request)
        self.chart.set_results([row.result for row in rows])
        self._on_state_estimate_changed()
        self.notice.clear()
        self._on_view_selection_changed()
        self.plan_shown.emit(plan)

    def _on_state_estimate_changed(self, _estimate: Estimate | None = None) -> None:
        """Mark the current build on the chart, estimated for the shown plan (a new build, or new cost settings)."""
        if self.plan is None:
            return
        r, build = self.plan.request, self.state.build
        workload = Workload(context=r.context, kv_cache=r.kv_cache)
        try:
            estimate: Estimate | None = self.services.estimator.estimate_build(build, r.model, r.quant, workload)
        except PlannerError:
            estimate = None
        self.chart.set_current(estimate, build.name)

    # ---- selection and actions -----------------------------------------------
    def selected_result(self) -> PlanResult | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(self.proxy.mapToSource(rows[0]).row()).result if rows else None

    def _on_chart_point_clicked(self, source_row: int) -> None:
        """Select the clicked point's row (`source_row` counts in the model, before the view's sorting)."""
        index = self.proxy.mapFromSource(self.model.index(source_row, COL_RANK))
        self.view.selectRow(index.row())
        self.view.scrollTo(index)

    def _on_view_selection_changed(self, *_selection: QItemSelection) -> None:
        rows = self.view.selectionModel().selectedRows()
        self.save_button.setEnabled(bool(rows))
        self.use_button.setEnabled(bool(rows))
        self.chart.highlight(self.proxy.mapToSource(rows[0]).row() if rows else None)

    def _ask_name_dialog(self, default: str) -> str | None:
        name, ok = QInputDialog.getText(self, "Save as build", "Name for the saved build:", text=default)
        return name if ok else None

    def _on_save_button_clicked(self) -> None:
        result = self.selected_result()
        name = (self.ask_name or self._ask_name_dialog)(result.name) if result else None
        if result is None or name is None:
            return
        spec = result.spec
        self.notice.setText(f"Saving “{name.strip()}”…")
        self.services.workers.start(
            lambda _progress, _cancelled: self.services.userdb.save_build(name, spec),
            finished=lambda _none: self._on_save_worker_finished(name.strip()),
            failed=lambda reason: self.notice.setText(f"Not saved: {reason}"),
        )

    def _on_save_worker_finished(self, name: str) -> None:
        self.notice.setText(f"Saved “{name}”.")
        self.build_saved.emit(name)

    def _on_use_button_clicked(self) -> None:
        result = self.selected_result()
        if result is not None:
            ok = self.state.set_spec(result.spec)
            self.notice.setText(f"“{result.name}” is now the current build." if ok else "That build could not be used.")

    # ---- first show ----------------------------------------------------------
    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        if self.plan is None and self._worker is None:
            self.search()
        self.floor.start()
        self.serving_claim.start()
