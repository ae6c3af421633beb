"""The article's "model class -> hardware floor" table, recomputed beside the article's own claims.

The whole floor takes about 0.4 s, so `FloorTable` computes it in a worker, with its own `Planner` so that
its estimates never race the Plan pane's searches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QLabel, QProgressBar, QTableView, QVBoxLayout, QWidget

from planner.core.placement import Fit
from planner.planning.hardware_floor import (
    FLOOR_CONTEXT,
    FLOOR_MIN_TOK_S,
    FLOOR_QUANT,
    ClaimCheck,
    FloorRow,
    article_source,
    hardware_floor,
)
from planner.planning.search import Planner, PlanRequest, PlanResult
from planner.ui.can_run_model import FIT_LABELS, SORT_ROLE
from planner.ui.format import Money, tok_s
from planner.ui.plan_model import why_lines
from planner.ui.rows_model import RowsTableModel
from planner.ui.services import Services
from planner.ui.workers import Progress, Worker

Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole + 2

COL_CLASS, COL_CLAIM, COL_MODEL, COL_CHEAPEST, COL_READABLE, COL_ARTICLE, COL_VERDICT = range(7)
HEADERS = (
    "Article's class",
    "Article's floor (quoted)",
    "Model checked",
    "Cheapest that runs it",
    f"Cheapest at ≥ {FLOOR_MIN_TOK_S:g} tok/s",
    "Article's hardware",
    "Verdict",
)
HEADER_TIPS = (
    "The article's model class",
    "The article's own floor for the class, quoted",
    "The catalog model that stands for the class",
    "The cheapest build in the catalog that runs the model at all (often CPU-only and slow)",
    f"The cheapest build that generates at least {FLOOR_MIN_TOK_S:g} tok/s: compare this with the article's floor",
    "The hardware the article names, estimated the same way (price, and where it is not all on the GPU)",
    f"optimistic: a named option does not fit or stays below {FLOOR_MIN_TOK_S:g} tok/s",
)
VERDICT_TINTS = {"holds": QColor(40, 180, 70, 70), "optimistic": QColor(245, 170, 20, 90)}


MoneyText = Callable[..., str]  # (usd, digits=0) -> text, as planner.ui.format.Money


def dollars(usd: float, digits: int = 0) -> str:
    return f"${usd:,.{digits}f}"


def _result_text(result: PlanResult | None, money: MoneyText) -> str:
    if result is None:
        return "—"
    return f"{result.name}\n{money(result.price_usd)}, {tok_s(result.decode_tok_s)} tok/s"


def _check_text(check: ClaimCheck, money: MoneyText) -> str:
    if check.fit == Fit.NONE:
        return f"{check.label}: does not fit"
    price = "unpriced" if check.price_usd is None else money(check.price_usd)
    where = "" if check.fit == Fit.GPU else f" ({FIT_LABELS[check.fit]})"
    return f"{check.label}: {tok_s(check.decode_tok_s)} tok/s{where}, {price}"


class FloorTableModel(RowsTableModel[FloorRow]):
    """Rows are `FloorRow`s from `planner.planning.hardware_floor.hardware_floor`, in the article's order."""

    HEADERS, HEADER_TIPS = HEADERS, HEADER_TIPS

    def __init__(self, money: Money | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent, money)
        self._currency = money
        self._money: MoneyText = money or dollars

    def set_rows(self, rows: Iterable[FloorRow]) -> None:
        self.reset_rows(rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = self._rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            return _display(row, col, self._money) if role == Qt.ItemDataRole.DisplayRole else index.row()
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(row, col, self._currency)
        if role == Qt.ItemDataRole.BackgroundRole and col == COL_VERDICT:
            return VERDICT_TINTS.get(row.verdict.split(":")[0])
        return None


def _display(row: FloorRow, col: int, money: MoneyText) -> str:
    if row.model_name is None and col in (COL_CHEAPEST, COL_READABLE, COL_ARTICLE):
        return row.claim.remark if col == COL_CHEAPEST else ""
    return {
        COL_CLASS: row.claim.model_class,
        COL_CLAIM: f"“{row.claim.floor_text}”",
        COL_MODEL: row.model_name or "none",
        COL_CHEAPEST: _result_text(row.cheapest, money),
        COL_READABLE: _result_text(row.cheapest_readable, money),
        COL_ARTICLE: "\n".join(_check_text(c, money) for c in row.checks),
        COL_VERDICT: row.verdict.replace("; ", ";\n"),
    }[col]


def _tooltip(row: FloorRow, col: int, money: Money | None) -> str:
    lines = [f"{row.claim.model_class} — the article: “{row.claim.floor_text}” ({row.claim.notes_text})"]
    if row.claim.remark:
        lines.append(row.claim.remark)
    result = {COL_CHEAPEST: row.cheapest, COL_READABLE: row.cheapest_readable}.get(col)
    if result is not None:
        limit = FLOOR_MIN_TOK_S if col == COL_READABLE else 0.0  # the floor's two searches
        request = PlanRequest(model=result.estimate.model.id, min_tok_s=limit)
        lines += list(why_lines(result, request, money))
    if col == COL_ARTICLE:
        lines += [f"{c.label} → {c.build_name}" for c in row.checks]
    lines.append(f"{FLOOR_QUANT}, {FLOOR_CONTEXT:,} tokens of context, used prices where the catalog has them")
    return "\n".join(lines)


class FloorTable(QWidget):
    """Signals: `floor_ready(int)` — the number of rows, emitted once the worker's table is shown."""

    floor_ready = Signal(int)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.model = FloorTableModel(Money(services.settings), self)
        self._worker: Worker | None = None
        self.started = False
        self.note = QLabel(
            f"The article's hardware floor, recomputed at {FLOOR_QUANT} with {FLOOR_CONTEXT:,} tokens of context "
            f"and used prices where the catalog has them. Source: {article_source(services.catalog)}."
        )
        self.note.setWordWrap(True)
        self.status = QLabel("Not computed yet.")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: hardware_floor reports no steps
        self.progress.setMaximumHeight(12)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setWordWrap(True)
        self.view.verticalHeader().hide()
        self.view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_MODEL, QHeaderView.ResizeMode.ResizeToContents)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        layout.addWidget(self.view, 1)

    def start(self) -> None:
        """Compute the floor in a worker (once; later calls do nothing)."""
        if self.started:
            return
        self.started = True
        services = self.services
        planner = Planner(services.catalog, services.calibration, cost_settings=services.cost_settings())
        self._worker = services.workers.start(
            floor_job(planner), finished=self._on_worker_finished, failed=self._on_worker_failed
        )
        self.status.setText("Computing the hardware floor for every model class…")
        self.progress.show()

    def _on_worker_finished(self, rows: list[FloorRow] | None) -> None:
        self._worker = None
        self.progress.hide()
        if rows is None:
            return
        self.model.set_rows(rows)
        optimistic = sum(r.verdict.startswith("optimistic") for r in rows)
        self.status.setText(f"{optimistic} of {len(rows)} rows: the article was optimistic (amber).")
        self.floor_ready.emit(len(rows))

    def _on_worker_failed(self, message: str) -> None:
        self._worker = None
        self.progress.hide()
        self.status.setText(f"Could not compute the hardware floor: {message.splitlines()[0]}")


def floor_job(planner: Planner) -> Callable[[Progress, Callable[[], bool]], list[FloorRow] | None]:
    def job(progress: Progress, cancelled: Callable[[], bool]) -> list[FloorRow] | None:
        progress(0, "computing the hardware floor")
        return None if cancelled() else hardware_floor(planner)

    return job
