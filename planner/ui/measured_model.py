"""This PC's measurements as a table: measured next to estimated, with settings and date."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt

from planner.measure.records import PcMeasurement
from planner.ui.format import tok_s
from planner.ui.rows_model import Index, RowsTableModel

COL_MODEL, COL_QUANT, COL_TEST, COL_MEASURED, COL_ESTIMATED, COL_RATIO, COL_TOOL, COL_DATE, COL_SETTINGS = range(9)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class MeasuredRow:
    measurement: PcMeasurement
    estimated_tok_s: float | None

    @property
    def ratio(self) -> float | None:
        e = self.estimated_tok_s
        return self.measurement.tokens_per_s / e if e else None


def settings_text(m: PcMeasurement) -> str:
    build = f"build {m.llama_build}" if m.llama_build else ""
    return "  ".join(x for x in (m.settings_text(), build) if x)


class MeasuredTableModel(RowsTableModel[MeasuredRow]):
    HEADERS = ("Model", "Quant", "Test", "Measured", "Estimated", "Measured / est.", "Tool", "Date", "Settings")
    HEADER_TIPS = (
        "the model as the tool named it (catalog id where it resolved)",
        "", "pp = prompt processing, tg = generation; @d = tokens already in the KV cache",
        "tokens per second, as the tool reported it",
        "the planner's unadjusted estimate for this PC, model, quant and test",
        "above 1: this PC is faster than estimated", "", "when it was measured (UTC)",
        "runtime settings and llama.cpp build",
    )  # fmt: skip

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = self._rows[index.row()], index.column()
        m = row.measurement
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                COL_MODEL: m.model_id or f"{m.model_label} (not in catalog)",
                COL_QUANT: m.quant,
                COL_TEST: m.test,
                COL_MEASURED: tok_s(m.tokens_per_s),
                COL_ESTIMATED: "—" if row.estimated_tok_s is None else tok_s(row.estimated_tok_s),
                COL_RATIO: "—" if row.ratio is None else f"{row.ratio:.2f}",
                COL_TOOL: m.tool if m.origin == "this PC" else f"{m.tool} (community)",
                COL_DATE: m.measured_at[:16].replace("T", " "),
                COL_SETTINGS: settings_text(m),
            }[col]
        if role == SORT_ROLE:
            if col == COL_MEASURED:
                return m.tokens_per_s
            if col in (COL_ESTIMATED, COL_RATIO):
                value = row.estimated_tok_s if col == COL_ESTIMATED else row.ratio
                return -1.0 if value is None else value
            return self.data(index)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{m.hardware or m.device}\n{m.source_url}" if (m.hardware or m.source_url) else None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_MEASURED, COL_ESTIMATED, COL_RATIO):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
