"""The "What can this build run" table: one row per catalog model × quant, as an item model.

`CanRunTableModel` is a thin adapter over sweep rows (`CanRunRow`); `CanRunFilterProxy` adds the
pane's filters (model name, quants, GPU-only) and sorts through `SORT_ROLE`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from planner.core.model import ModelArch
from planner.core.placement import Fit
from planner.core.quant import QuantType
from planner.core.sweep import SweepCell
from planner.core.units import GIB
from planner.ui.format import Money, tok_range, tok_s
from planner.ui.rows_model import RowsTableModel

Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2

# The speeds come right after the fit, so they stay on screen in a narrow window.
COL_MODEL, COL_QUANT, COL_FIT, COL_GEN, COL_PROMPT, COL_MEMORY, COL_LAYERS, COL_USD_MTOK, COL_PARAMS, COL_QUALITY = (
    range(10)
)
# One spec per column, (header, tip): the headers and their tips cannot drift apart when columns move.
COLUMN_SPECS: dict[int, tuple[str, str]] = {
    COL_MODEL: ("Model", "Model name"),
    COL_QUANT: ("Quant", "llama.cpp file type (quantization)"),
    COL_FIT: (
        "Fit",
        "GPU: everything on the GPUs · partial: some layers in system RAM · CPU only · does not fit",
    ),
    COL_GEN: ("Gen tok/s", "Generation speed, batch 1, at an empty context (tooltip: likely range)"),
    COL_PROMPT: ("Prompt tok/s", "Prompt processing (prefill) speed"),
    COL_MEMORY: ("Memory GiB", "Weights + KV cache + compute buffers"),
    COL_LAYERS: ("GPU layers", "Layers on the GPUs / all layers"),
    COL_USD_MTOK: ("$/Mtok", "Hardware amortization + electricity per million generated tokens, in your currency"),
    COL_PARAMS: (
        "Params (B)",
        "Parameters in billions; for mixture-of-experts models, the active parameters per token follow",
    ),
    COL_QUALITY: (
        "Quality (KLD)",
        "Mean KL divergence from the 16-bit model in llama.cpp's perplexity scoreboard "
        "(lower is better; — none published)",
    ),
}
HEADERS = tuple(COLUMN_SPECS[col][0] for col in range(len(COLUMN_SPECS)))
HEADER_TIPS = tuple(COLUMN_SPECS[col][1] for col in range(len(COLUMN_SPECS)))
POPULAR_QUANTS = frozenset({"Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "F16", "MXFP4", "IQ4_XS", "Q3_K_M"})
FIT_ORDER = {Fit.GPU: 0, Fit.PARTIAL: 1, Fit.CPU: 2, Fit.NONE: 3}
FIT_LABELS = {Fit.GPU: "GPU", Fit.PARTIAL: "partial", Fit.CPU: "CPU only", Fit.NONE: "does not fit"}
# Alpha tints: they read on light and dark palettes alike, because text keeps the palette's colour.
FIT_TINTS = {
    Fit.GPU: QColor(40, 180, 70, 70),
    Fit.PARTIAL: QColor(245, 170, 20, 80),
    Fit.CPU: QColor(150, 120, 100, 70),
    Fit.NONE: QColor(220, 40, 40, 70),
}
MISSING_HIGH = float("inf")  # sorts unknown costs after every known one


@dataclass(frozen=True)
class CanRunRow:
    """One model × quant on the build: a sweep cell plus its running cost."""

    model: ModelArch
    quant: QuantType
    cell: SweepCell
    usd_per_mtok: float | None
    context: int

    @property
    def fit(self) -> Fit:
        return self.cell.fit


def params_text(model: ModelArch) -> str:
    if model.params_active_b < model.params_total_b:
        return f"{model.params_total_b:g} ({model.params_active_b:g} active)"
    return f"{model.params_total_b:g}"


def quality_text(quant: QuantType) -> str:
    if quant.kld is None:
        return "—"
    ppl = "" if quant.ppl_increase_pct is None else f" (+{quant.ppl_increase_pct:.1f}% PPL)"
    return f"{quant.kld:.4f}{ppl}"


def dollars(usd: float, digits: int = 0) -> str:
    return f"${usd:,.{digits}f}"


def _display(row: CanRunRow, col: int, money: Callable[..., str] = dollars) -> str:
    cell = row.cell
    return {
        COL_MODEL: row.model.name,
        COL_PARAMS: params_text(row.model),
        COL_QUANT: row.quant.name,
        COL_FIT: FIT_LABELS.get(cell.fit, cell.fit),
        COL_LAYERS: f"{cell.gpu_layers}/{cell.total_layers}",
        COL_MEMORY: f"{cell.total_bytes / GIB:,.1f}",
        COL_GEN: tok_s(cell.decode_tok_s),
        COL_PROMPT: tok_s(cell.prefill_tok_s),
        COL_USD_MTOK: "—" if row.usd_per_mtok is None else money(row.usd_per_mtok, 2),
        COL_QUALITY: quality_text(row.quant),
    }[col]


def _sort_key(row: CanRunRow, col: int) -> Any:
    cell = row.cell
    return {
        COL_MODEL: row.model.name.lower(),
        COL_PARAMS: row.model.params_total_b,
        COL_QUANT: row.quant.name,
        COL_FIT: FIT_ORDER.get(cell.fit, len(FIT_ORDER)),
        COL_LAYERS: cell.gpu_layers / cell.total_layers if cell.total_layers else 0.0,
        COL_MEMORY: cell.total_bytes,
        COL_GEN: cell.decode_tok_s if cell.decode_tok_s is not None else -1.0,
        COL_PROMPT: cell.prefill_tok_s if cell.prefill_tok_s is not None else -1.0,
        COL_USD_MTOK: row.usd_per_mtok if row.usd_per_mtok is not None else MISSING_HIGH,
        COL_QUALITY: row.quant.kld if row.quant.kld is not None else MISSING_HIGH,
    }[col]


MEASURED_MARK = "●"  # measured on this PC: the tooltip lists the runs


def measured_lines(measured: Iterable[dict[str, Any]]) -> list[str]:
    return [f"measured {m['test']}: {tok_s(m['tokens_per_s'])} tok/s ({m['source_url']})" for m in measured]


def row_tooltip(row: CanRunRow, col: int, assumptions: Iterable[str], measured: Iterable[dict[str, Any]]) -> str:
    """What a number rests on: its range, the sweep's assumptions and any public measurements."""
    cell = row.cell
    lines = [f"{row.model.name} · {row.quant.name}, context {row.context:,}"]
    if col == COL_GEN and cell.decode_range:
        lines.append(f"likely range {tok_range(cell.decode_range)} tok/s")
    if col == COL_PROMPT and cell.prefill_range:
        lines.append(f"likely range {tok_range(cell.prefill_range)} tok/s")
    if col == COL_MEMORY:
        parts = (("weights", cell.weights_bytes), ("KV cache", cell.kv_bytes), ("buffers", cell.overhead_bytes))
        lines.append(" + ".join(f"{name} {size / GIB:.1f}" for name, size in parts) + " GiB")
    if cell.ram_needed_bytes:
        lines.append(f"{cell.ram_needed_bytes / GIB:.1f} GiB held in system RAM")
    lines += measured_lines(measured)
    lines += ["assumes " + a for a in assumptions]
    return "\n".join(lines)


class CanRunTableModel(RowsTableModel[CanRunRow]):
    """Rows are `CanRunRow`s in catalog order (most popular model first). `measured_for(row)`
    gives public measurements for the speed tooltips; `assumptions` hold for every row."""

    HEADERS, HEADER_TIPS = HEADERS, HEADER_TIPS

    def __init__(
        self,
        measured_for: Callable[[CanRunRow], Iterable[dict[str, Any]]] | None = None,
        money: Money | None = None,
    ) -> None:
        super().__init__(money=money)
        self._money: Callable[..., str] = money or dollars
        self.assumptions: tuple[str, ...] = ()
        self._measured_for = measured_for
        self.this_pc_keys: frozenset[tuple[str, str]] = frozenset()  # (model id, quant) measured on this PC

    def set_rows(self, rows: Iterable[CanRunRow], assumptions: Iterable[str] = ()) -> None:
        self.assumptions = tuple(assumptions)
        self.reset_rows(rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            text = _display(row, col, self._money)
            if col == COL_GEN and (row.model.id, row.quant.name) in self.this_pc_keys:
                return f"{MEASURED_MARK} {text}"
            return text
        if role == SORT_ROLE:
            return _sort_key(row, col)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.BackgroundRole:
            return FIT_TINTS.get(row.fit)
        if role == Qt.ItemDataRole.ToolTipRole:
            measured = self._measured_for(row) if self._measured_for and col in (COL_GEN, COL_PROMPT) else ()
            return row_tooltip(row, col, self.assumptions, measured)
        if role == Qt.ItemDataRole.TextAlignmentRole and col not in (COL_MODEL, COL_QUANT, COL_FIT):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class CanRunFilterProxy(QSortFilterProxyModel):
    """Filters by model-name text, a set of quants (None: all) and "runs fully on GPU only"."""

    def __init__(self) -> None:
        super().__init__()
        self._text = ""
        self._quants: frozenset[str] | None = POPULAR_QUANTS
        self._gpu_only = False
        self.setSortRole(SORT_ROLE)

    @property
    def quants(self) -> frozenset[str] | None:
        return self._quants

    def set_text(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "_text", text.strip().lower()))

    def set_quants(self, quants: Iterable[str] | None) -> None:
        self._refilter(lambda: setattr(self, "_quants", None if quants is None else frozenset(quants)))

    def set_gpu_only(self, on: bool) -> None:
        self._refilter(lambda: setattr(self, "_gpu_only", on))

    def _refilter(self, change: Callable[[], None]) -> None:
        if not hasattr(self, "beginFilterChange"):  # PySide6 < 6.10
            change()
            self.invalidateRowsFilter()
            return
        self.beginFilterChange()  # 6.10 deprecates invalidateRowsFilter for this pair
        change()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        row = self.sourceModel().index(source_row, COL_MODEL, source_parent).data(ROW_ROLE)
        if row is None:
            return False
        if self._gpu_only and row.fit != Fit.GPU:
            return False
        if self._quants is not None and row.quant.name not in self._quants:
            return False
        return not self._text or self._text in row.model.name.lower() or self._text in row.model.id
