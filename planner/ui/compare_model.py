"""The Compare table: one column per build, one row per metric, for the state's model and quant."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from planner.catalog.builds import preset_spec
from planner.catalog.pricing import included_text
from planner.core.estimate import Estimate
from planner.core.units import GIB
from planner.ui.can_run_model import FIT_LABELS, FIT_ORDER, FIT_TINTS, SORT_ROLE, measured_lines
from planner.ui.format import SYMBOLS, Money, tok_range, tok_s
from planner.ui.services import Services

Index = QModelIndex | QPersistentModelIndex
MAX_BUILDS = 4
MIN_BUILDS = 2

(ROW_FIT, ROW_LAYERS, ROW_MEMORY, ROW_MAX_CONTEXT, ROW_GEN, ROW_PROMPT, ROW_PRICE, ROW_POWER, ROW_USD_MTOK,
 ROW_TOK_PER_1000) = range(10)  # fmt: skip
METRICS = (
    "Fit",
    "GPU layers",
    "Memory GiB",
    "Max context on GPU",
    "Generation tok/s (range)",
    "Prompt tok/s",
    "Price",
    "Power W (generating)",
    "{cur}/Mtok",
    "tok/s per {cur}1,000",
)
METRIC_TIPS = (
    "Where the model runs: all on the GPUs, partly in system RAM, on the CPU, or not at all",
    "Layers on the GPUs / all layers",
    "Weights + KV cache + compute buffers",
    "Largest context that still fits fully on the GPUs",
    "Generation speed at batch 1, with the likely range",
    "Prompt processing (prefill) speed",
    "Hardware price (the build's parts, or its stated price)",
    "Whole-machine draw while generating this model",
    "Hardware amortization + electricity per million generated tokens",
    "Generation speed per 1,000 of your currency spent on hardware",
)


@dataclass(frozen=True)
class CompareColumn:
    """One build in the comparison: its estimate, or why there is none."""

    key: str
    label: str
    estimate: Estimate | None
    error: str = ""


@dataclass(frozen=True)
class BuildChoice:
    """A build the user can compare or plot: a preset or a saved build."""

    key: str
    label: str
    spec: dict[str, Any]
    saved_name: str | None = None


def build_choices(services: Services) -> list[BuildChoice]:
    """Presets in catalog order, then the user's saved builds."""
    catalog = services.catalog
    choices = [
        BuildChoice(f"preset:{pid}", row["name"], preset_spec(catalog, pid)) for pid, row in catalog.preset_rows.items()
    ]
    for spec in services.userdb.builds():
        name = str(spec.get("name", "Saved build"))
        choices.append(BuildChoice(f"saved:{name}", f"{name} (saved)", spec, name))
    return choices


def _cell(est: Estimate, row: int, money: Money) -> tuple[str, Any]:
    """(display text, sort value) of one metric; money in the user's currency."""
    p, cost = est.placement, est.cost

    def _money(usd: float | None, digits: int = 0) -> str:
        return "—" if usd is None else money(usd, digits)

    per_1000 = None if cost.tok_s_per_1000_usd is None else cost.tok_s_per_1000_usd / money.rate
    gen = est.decode_tok_s
    return {
        ROW_FIT: (FIT_LABELS.get(est.fit, est.fit), FIT_ORDER.get(est.fit, len(FIT_ORDER))),
        ROW_LAYERS: (f"{p.gpu_layers}/{p.total_layers}", p.gpu_layers / p.total_layers if p.total_layers else 0.0),
        ROW_MEMORY: (f"{memory_bytes(est) / GIB:,.1f}", memory_bytes(est)),
        ROW_MAX_CONTEXT: (f"{est.max_context_on_gpu:,}", est.max_context_on_gpu),
        ROW_GEN: (
            tok_s(gen) + (f" ({tok_range(est.decode_range)})" if est.decode_range else ""),
            gen if gen is not None else -1.0,
        ),
        ROW_PROMPT: (tok_s(est.prefill_tok_s), est.prefill_tok_s if est.prefill_tok_s is not None else -1.0),
        ROW_PRICE: (_money(cost.hardware_usd), cost.hardware_usd if cost.hardware_usd is not None else -1.0),
        ROW_POWER: (f"{cost.power_load_w:,.0f}", cost.power_load_w),
        ROW_USD_MTOK: (_money(cost.usd_per_mtok, 2), cost.usd_per_mtok if cost.usd_per_mtok is not None else -1.0),
        ROW_TOK_PER_1000: (
            "—" if per_1000 is None else f"{per_1000:,.2f}",
            per_1000 if per_1000 is not None else -1.0,
        ),
    }[row]


def memory_bytes(est: Estimate) -> float:
    p = est.placement
    return p.weights_bytes + p.kv_bytes + p.overhead_bytes


def _tooltip(est: Estimate, row: int, money: Money) -> str:
    """What a number rests on: range, parts, public measurements, assumptions and warnings."""
    lines = [f"{est.model.name} · {est.quant.name} on {est.build.name}"]
    if row == ROW_GEN and est.decode_range:
        lines.append(f"likely range {tok_range(est.decode_range)} tok/s")
    if row == ROW_PROMPT and est.prefill_range:
        lines.append(f"likely range {tok_range(est.prefill_range)} tok/s")
    if row == ROW_MEMORY:
        p = est.placement
        parts = (("weights", p.weights_bytes), ("KV cache", p.kv_bytes), ("buffers", p.overhead_bytes))
        lines.append(" + ".join(f"{name} {size / GIB:.1f}" for name, size in parts) + " GiB")
    if row == ROW_PRICE:
        lines.append(included_text(est.build))
        parts_text = [f"{p.name}: {money(p.price_usd)} × {p.quantity} ({p.price_kind})" for p in est.build.parts]
        lines += parts_text or ["stated price of the whole build"]
    if row in (ROW_GEN, ROW_PROMPT, ROW_TOK_PER_1000):
        lines += measured_lines(est.measured)
    lines += ["assumes " + a for a in est.assumptions]
    lines += ["⚠ " + w for w in est.warnings]
    return "\n".join(lines)


class CompareTableModel(QAbstractTableModel):
    """Columns are `CompareColumn`s; rows are the metrics in `METRICS`."""

    def __init__(self, money: Money) -> None:
        super().__init__()
        self.money = money
        self._columns: list[CompareColumn] = []

    def set_columns(self, columns: Iterable[CompareColumn]) -> None:
        self.beginResetModel()
        self._columns = list(columns)
        self.endResetModel()

    def columns(self) -> list[CompareColumn]:
        return list(self._columns)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(METRICS)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column, row = self._columns[index.column()], index.row()
        est = column.estimate
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if est is None:
            if role == Qt.ItemDataRole.DisplayRole:
                return "—"
            return column.error if role == Qt.ItemDataRole.ToolTipRole else None
        if role == Qt.ItemDataRole.DisplayRole:
            return _cell(est, row, self.money)[0]
        if role == SORT_ROLE:
            return _cell(est, row, self.money)[1]
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(est, row, self.money)
        if role == Qt.ItemDataRole.BackgroundRole and row == ROW_FIT:
            return FIT_TINTS.get(est.fit)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            if not 0 <= section < len(METRICS):
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                return METRICS[section].format(cur=SYMBOLS.get(self.money.code, self.money.code + " "))
            return METRIC_TIPS[section] if role == Qt.ItemDataRole.ToolTipRole else None
        if not 0 <= section < len(self._columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return textwrap.fill(f"#{section + 1} {self._columns[section].label}", 28)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._columns[section].error or self._columns[section].label
        return None
