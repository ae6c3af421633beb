"""A thin table model over catalog rows of one kind (GPUs, CPUs, models, measurements...).

The columns depend on the kind; the first two are always the name and where the row
comes from ("catalog" or "custom"). `SORT_ROLE` gives raw values for sorting,
`SEARCH_ROLE` (column 0) the text the search box matches, `ROW_ROLE` the row itself.
"""

from __future__ import annotations

import html
import re
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt

from planner.catalog.listing import sources_of
from planner.catalog.store import Catalog

Row = dict[str, Any]
Index = QModelIndex | QPersistentModelIndex
Column = tuple[str, tuple[str, ...]]  # header, keys tried in order

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2
ROW_ROLE = Qt.ItemDataRole.UserRole + 3

COL_NAME = 0
COL_ORIGIN = 1

KIND_LABELS = {
    "gpus": "GPUs and Apple chips",
    "chips": "Apple chips",
    "cpus": "CPUs",
    "models": "Models",
    "quants": "Quants",
    "presets": "Presets",
    "dataflow": "Dataflow systems (CS-3, Groq, SambaNova)",
    "measurements": "Measurements",
}
_PRICE = ("Price USD", ("price_override_usd", "price_new_usd", "launch_price_usd"))
COLUMNS: dict[str, tuple[Column, ...]] = {
    "gpus": (
        ("Vendor", ("vendor",)),
        ("Memory GB", ("vram_gb", "memory_options_gb")),
        ("Bandwidth GB/s", ("bandwidth_gbs",)),
        ("FP16 TFLOPS", ("fp16_tflops", "fp32_tflops")),
        ("Power W", ("board_power_w", "max_power_w")),
        ("Year", ("release_year",)),
        _PRICE,
    ),
    "chips": (
        ("GPU cores", ("gpu_cores",)),
        ("CPU cores", ("cpu_cores",)),
        ("Bandwidth GB/s", ("bandwidth_gbs",)),
        ("Memory options GB", ("memory_options_gb",)),
        ("Year", ("release_year",)),
    ),
    "cpus": (
        ("Vendor", ("vendor",)),
        ("Cores", ("cores",)),
        ("Threads", ("threads",)),
        ("Channels", ("memory_channels",)),
        ("Max MT/s", ("max_memory_mts",)),
        ("DDR", ("ddr_gen",)),
        ("Year", ("release_year",)),
        _PRICE,
    ),
    "models": (
        ("Family", ("family",)),
        ("Params B", ("params_total_b",)),
        ("Active B", ("params_active_b",)),
        ("Layers", ("n_layers",)),
        ("Context", ("max_context",)),
        ("Architecture", ("arch",)),
    ),
    "quants": (
        ("Family", ("family",)),
        ("Bits/weight", ("body_bpw",)),
        ("KLD vs 16-bit", ("kld",)),
        ("+PPL %", ("ppl_increase_pct",)),
        ("Description", ("description",)),
    ),
    "presets": (
        ("Price low USD", ("price_usd_low",)),
        ("Price high USD", ("price_usd_high",)),
        ("Description", ("description",)),
    ),
    "dataflow": (
        ("Vendor", ("vendor",)),
        ("Unit", ("unit",)),
        ("On-chip SRAM GB", ("on_chip_sram_gb",)),
        ("External memory", ("external_memory",)),
        ("Power W", ("power_w",)),
        ("Price USD", ("price_usd",)),
    ),
    "measurements": (
        ("Model", ("model",)),
        ("Quant", ("quant",)),
        ("Backend", ("backend",)),
        ("GPUs", ("n_gpus",)),
        ("Test", ("test",)),
        ("Tokens/s", ("tokens_per_s",)),
    ),
}
NAME_KEYS = {"measurements": ("hardware",)}
ROW_KINDS = {"cpus": "cpu", "models": "model", "quants": "quant", "presets": "preset", "chips": "apple_chip"}
PRICE_TABLES = {"gpu": "gpus", "apple_chip": "apple_chips", "cpu": "cpus"}
HIDDEN_FIELDS = {"origin", "price_override_usd", "source_url", "params_source_url", "price_source_url"}
SEARCH_KEYS = ("id", "name", "aliases", "vendor", "family", "repo", "description", "hardware", "model", "device")


def display_name(kind: str, row: Row) -> str:
    return str(next((row[k] for k in (*NAME_KEYS.get(kind, ()), "name") if row.get(k)), row.get("id", "")))


def row_kind(kind: str, row: Row) -> str:
    """The singular kind of one row ("gpu", "apple_chip", "cpu", ...), as `sources_of` takes it."""
    return str(row.get("kind") or ROW_KINDS.get(kind, "gpu" if kind == "gpus" else "measurement"))


def search_proxy(model: QAbstractTableModel) -> QSortFilterProxyModel:
    """A proxy that filters on `SEARCH_ROLE` (names, aliases, vendors) and sorts on `SORT_ROLE`."""
    proxy = QSortFilterProxyModel(model)
    proxy.setSourceModel(model)
    proxy.setFilterRole(SEARCH_ROLE)
    proxy.setFilterKeyColumn(COL_NAME)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setSortRole(SORT_ROLE)
    return proxy


def row_sources(catalog: Catalog, kind: str, row: Row) -> list[tuple[str, str]]:
    """(what, where) pairs citing the row: the catalog's sources, or where a custom entry came from."""
    if row.get("origin") == "custom":
        return [("imported from" if "import" in str(row.get("notes")) else "custom entry", row["source_url"])]
    if kind == "measurements":
        return [("measurement", row["source_url"])]
    return sources_of(catalog, row_kind(kind, row), row)


def overrides_for(kind: str, row: Row, every: list[Row]) -> list[Row]:
    """Your price overrides (from the user database's `prices()`) that apply to this row."""
    table = PRICE_TABLES.get(row_kind(kind, row))
    return [p for p in every if (p["item_table"], p["item_id"]) == (table, row.get("id"))]


def with_override(kind: str, row: Row, every: list[Row]) -> Row:
    """The row with `price_override_usd` set when you gave it a price (new wins over used)."""
    prices = {p["price_kind"]: p["price_usd"] for p in overrides_for(kind, row, every)}
    override = prices.get("new", prices.get("used"))
    return {**row, "price_override_usd": override} if override is not None else row


UNIT_SUFFIXES = (
    ("_gbs", "GB/s"), ("_gb", "GB"), ("_usd", "US$"), ("_tflops", "TFLOPS"), ("_mts", "MT/s"), ("_bpw", "bits/weight"),
    ("_ghz", "GHz"), ("_w", "W"), ("_b", "billion"), ("_mm2", "mm²"), ("_mhz", "MHz"),
)  # fmt: skip
FIELD_LABELS = {
    "id": "Catalog id", "vram_gb": "Memory", "tokens_per_s": "Speed (tokens/s)", "n_layers": "Layers",
    "n_gpus": "GPUs", "n_experts": "Experts", "n_experts_active": "Active experts",
    "max_context": "Max context (tokens)", "ddr_gen": "DDR generation", "as_of": "As of",
    "params_total_b": "Parameters", "params_active_b": "Active parameters", "body_bpw": "Bits per weight",
    "board_power_w": "Board power", "build_json": "Build",
}  # fmt: skip


def field_label(key: str) -> tuple[str, str]:
    """('Bandwidth', 'GB/s') for 'bandwidth_gbs': a label in words and the unit its value is in."""
    unit = next((u for suffix, u in UNIT_SUFFIXES if key.endswith(suffix)), "")
    stem = key
    for suffix, u in UNIT_SUFFIXES:
        if u == unit and key.endswith(suffix):
            stem = key[: -len(suffix)]
            break
    label = FIELD_LABELS.get(key) or stem.replace("_", " ").strip().capitalize()
    return label, unit


def _field_cell(key: str, value: Any) -> str:
    label, unit = field_label(key)
    text = _format(value)
    if unit == "US$":
        text = f"${value:,.2f}" if isinstance(value, int | float) else text
    elif unit and isinstance(value, int | float):
        text = f"{text} {unit}"
    elif unit:
        label = f"{label} ({unit})"
    return f"<tr><td><b>{html.escape(label)}</b>&nbsp;&nbsp;</td><td>{html.escape(text)}</td></tr>"


def natural_key(text: str) -> str:
    """Numbers inside text sort by value: pp512 before pp1024."""
    return re.sub(r"\d+", lambda m: m.group().zfill(12), text.lower())


def details_html(kind: str, row: Row, overrides: list[Row], sources: list[tuple[str, str]]) -> str:
    """The details panel: the row's fields, your prices, and a numbered list of sources."""
    flag = " <span style='color:#b35c00'>[custom]</span>" if row.get("origin") == "custom" else ""
    cells = "".join(_field_cell(k, v) for k, v in row.items() if k not in HIDDEN_FIELDS and v not in (None, ""))
    prices = "".join(
        f"<li>{html.escape(p['price_kind'])}: ${p['price_usd']:,.2f} (set {html.escape(p['as_of'])})</li>"
        for p in overrides
    )
    cited = "".join(f"<li>{html.escape(what)}: {_link(url)}</li>" for what, url in sources)
    return (
        f"<h3>{html.escape(display_name(kind, row))}{flag}</h3>"
        + (f"<p><b>Your prices</b></p><ul>{prices}</ul>" if prices else "")
        + f"<table cellspacing='2'>{cells}</table><p><b>Sources</b></p><ol>{cited}</ol>"
    )


def _link(url: str) -> str:
    text = html.escape(url)
    return f"<a href='{text}'>{text}</a>" if url.startswith(("http://", "https://")) else text


def _format(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float) and 0 < abs(value) < 0.1:  # KL divergences: 0.0014, not 0
        return f"{value:.4f}".rstrip("0")
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


class CatalogTableModel(QAbstractTableModel):
    """Rows of one catalog kind; `set_rows(kind, rows)` replaces them."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.kind = "gpus"
        self._rows: list[Row] = []

    def set_rows(self, kind: str, rows: list[Row]) -> None:
        self.beginResetModel()
        self.kind = kind
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> Row:
        return self._rows[row]

    def _columns(self) -> tuple[Column, ...]:
        return COLUMNS[self.kind]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else 2 + len(self._columns())

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if not 0 <= section < self.columnCount():
            return None
        return ("Hardware" if self.kind == "measurements" else "Name", "Origin", *(h for h, _ in self._columns()))[
            section
        ]

    def _value(self, row: Row, column: int) -> Any:
        if column == COL_NAME:
            return display_name(self.kind, row)
        if column == COL_ORIGIN:
            return row.get("origin", "catalog")
        _, keys = self._columns()[column - 2]
        return next((row[k] for k in keys if row.get(k) not in (None, "")), None)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == ROW_ROLE:
            return row
        if role == SEARCH_ROLE:
            return " ".join(str(row.get(k) or "") for k in SEARCH_KEYS)
        value = self._value(row, index.column())
        if role == SORT_ROLE:
            return value if isinstance(value, int | float) else natural_key(str(value or ""))
        if role == Qt.ItemDataRole.DisplayRole:
            text = _format(value)
            return f"{text} (yours)" if text and self._is_override(row, index.column()) else text
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == COL_ORIGIN and row.get("origin") == "custom":
            return "Added by you; kept in your data file"
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int | float):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _is_override(self, row: Row, column: int) -> bool:
        return column >= 2 and self._columns()[column - 2] is _PRICE and row.get("price_override_usd") is not None
