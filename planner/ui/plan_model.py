"""The Plan pane's results table: one row per qualifying build (or per suggestion), as an item model.

`PlanTableModel` is a thin adapter over `PlanRow`s (a `PlanResult` plus its rank label); sort through `SORT_ROLE`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt

from planner.planning.candidates import describe
from planner.planning.search import Plan, PlanRequest, PlanResult
from planner.ui.can_run_model import FIT_LABELS, FIT_ORDER, FIT_TINTS, SORT_ROLE
from planner.ui.format import Money, esc, tok_range, tok_s
from planner.ui.rows_model import RowsTableModel

Index = QModelIndex | QPersistentModelIndex
MoneyText = Callable[..., str]  # (usd, digits=0) -> text, as planner.ui.format.Money
ROW_ROLE = Qt.ItemDataRole.UserRole + 2

COL_RANK, COL_BUILD, COL_FIT, COL_GEN, COL_PROMPT, COL_PRICE, COL_POWER, COL_USD_MTOK, COL_WHY = range(9)
HEADERS = ("#", "Build", "Fit", "Gen tok/s", "Prompt tok/s", "Price", "Power W", "$/Mtok", "Why it qualifies")
HEADER_TIPS = (
    "Rank under the chosen ranking (a suggestion when nothing qualifies)",
    "The build: a preset, one of your saved builds, or one the planner assembled from catalog parts",
    "gpu: everything on the GPUs · partial: some layers in system RAM · CPU only: runs on the CPU",
    "Generation speed at batch 1 (tooltip: likely range)",
    "Prompt processing (prefill) speed",
    "Hardware price, including estimated board, RAM and PSU for assembled builds",
    "Whole-machine draw under load",
    "Hardware amortization + electricity per million generated tokens",
    "Fit, speed, price and power, each against its filter (tooltip: every line)",
)
MISSING_HIGH = float("inf")
RIGHT_ALIGNED = frozenset({COL_RANK, COL_GEN, COL_PROMPT, COL_PRICE, COL_POWER, COL_USD_MTOK})


@dataclass(frozen=True)
class PlanRow:
    """A result as the table shows it: `rank` is 1-based, or 0 for a suggestion (`note` says which)."""

    rank: int
    result: PlanResult
    note: str = ""


def plain_money(usd: float | None, digits: int = 0) -> str:
    return "—" if usd is None else f"${usd:,.{digits}f}"


def why_lines(result: PlanResult, request: PlanRequest | None, money: Money | None) -> tuple[str, ...]:
    """Why a result qualifies, with its money in the user's currency (the plan keeps US dollars)."""
    if request is None or money is None:
        return result.why
    r = request
    return describe(
        result.estimate, min_tok_s=r.min_tok_s, min_prompt_tok_s=r.min_prompt_tok_s, budget_usd=r.budget_usd,
        max_power_w=r.max_power_w, money=money,
    )  # fmt: skip


def plan_rows(plan: Plan) -> list[PlanRow]:
    """The ranked results, or, when nothing qualifies, the plan's suggestions."""
    if plan.impossible:
        return [PlanRow(0, s.result, f"Suggestion: the {s.label}") for s in plan.suggestions]
    return [PlanRow(i + 1, r) for i, r in enumerate(plan.results)]


def plan_summary(plan: Plan, money: MoneyText = plain_money) -> str:
    """The plan's message as rich text; an impossible plan lists its suggestions under it."""
    if not plan.impossible:
        return esc(plan.message)
    tries = "".join(
        f"<br>• <b>{esc(s.label.capitalize())}</b>: {esc(s.result.name)}, {esc(money(s.result.price_usd))}, "
        f"{tok_s(s.result.decode_tok_s)} tok/s"
        for s in plan.suggestions
    )
    return f"<b>{esc(plan.message)}</b>{tries or '<br>Nothing in the catalog runs this model.'}"


class PlanTableModel(RowsTableModel[PlanRow]):
    """Rows are `PlanRow`s in ranked order. `money` shows US dollars in the user's currency (None: dollars)."""

    HEADERS, HEADER_TIPS = HEADERS, HEADER_TIPS

    def __init__(self, money: Money | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent, money)
        self._currency = money
        self._money: MoneyText = money or plain_money
        self._request: PlanRequest | None = None

    def set_rows(self, rows: Iterable[PlanRow], request: PlanRequest | None = None) -> None:
        """`request`: the plan's, so that each row's reasons can be written in the user's currency."""
        self._request = request
        self.reset_rows(rows)

    def why(self, row: PlanRow) -> tuple[str, ...]:
        return why_lines(row.result, self._request, self._currency)

    def rows(self) -> list[PlanRow]:
        return list(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == SORT_ROLE:
            return _sort_key(row, col)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.BackgroundRole and col == COL_FIT:
            return FIT_TINTS.get(row.result.fit)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, col)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in RIGHT_ALIGNED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, row: PlanRow, col: int) -> str:
        result, cost = row.result, row.result.estimate.cost
        return {
            COL_RANK: str(row.rank) if row.rank else "try",
            COL_BUILD: result.name,
            COL_FIT: FIT_LABELS[result.fit],
            COL_GEN: tok_s(result.decode_tok_s),
            COL_PROMPT: tok_s(result.prefill_tok_s),
            COL_PRICE: self._money(result.price_usd),
            COL_POWER: f"{result.power_w:,.0f}",
            COL_USD_MTOK: "—" if cost.usd_per_mtok is None else self._money(cost.usd_per_mtok, 2),
            COL_WHY: " · ".join(self.why(row)),
        }[col]

    def _tooltip(self, row: PlanRow, col: int) -> str:
        est = row.result.estimate
        lines = [row.note] if row.note else []
        if col == COL_GEN and est.decode_range:
            lines.append(f"likely range {tok_range(est.decode_range)} tok/s")
        elif col == COL_PROMPT and est.prefill_range:
            lines.append(f"likely range {tok_range(est.prefill_range)} tok/s")
        elif col == COL_USD_MTOK and est.cost.tok_s_per_1000_usd is not None:
            value = est.cost.tok_s_per_1000_usd
            per_1000 = self._currency.per_1000(value) if self._currency else f"{value:,.1f} tok/s per $1,000"
            lines.append(f"{per_1000} of hardware")
        lines += list(self.why(row))
        return "\n".join(lines)


def sorting_proxy(model: PlanTableModel, parent: QObject | None = None) -> QSortFilterProxyModel:
    """A proxy that sorts `model` by value (SORT_ROLE) rather than by display text."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    return proxy


def _sort_key(row: PlanRow, col: int) -> Any:
    result, cost = row.result, row.result.estimate.cost
    return {
        COL_RANK: row.rank,
        COL_BUILD: result.name.lower(),
        COL_FIT: FIT_ORDER.get(result.fit, len(FIT_ORDER)),
        COL_GEN: result.decode_tok_s if result.decode_tok_s is not None else -1.0,
        COL_PROMPT: result.prefill_tok_s if result.prefill_tok_s is not None else -1.0,
        COL_PRICE: result.price_usd,
        COL_POWER: result.power_w,
        COL_USD_MTOK: cost.usd_per_mtok if cost.usd_per_mtok is not None else MISSING_HIGH,
        COL_WHY: " ".join(result.why),
    }[col]
