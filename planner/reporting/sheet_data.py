"""What a build sheet says, as plain rows: no Qt, no layout.

`gather.py` fills these from the estimator; the PDF code only lays them out, so the
numbers a sheet prints can be tested without rendering anything.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from planner.core.hardware import Build
from planner.core.placement import Fit
from planner.hardware.detect import Detection
from planner.hardware.match import ThisPc

PAGE_SIZES = ("A4", "Letter")
DEFAULT_QUANTS = ("Q4_K_M", "Q8_0")
DEFAULT_CONTEXTS = (4096, 16384)
DEFAULT_MODEL_COUNT = 5


@dataclass(frozen=True)
class DetectedPc:
    """What detection found, and the "This PC" build matched from it."""

    detection: Detection
    pc: ThisPc


@dataclass(frozen=True)
class SheetRequest:
    """One sheet: a build and the models, quants and contexts to tabulate.

    An empty `models` means the most popular models the build can run.
    `preset_id` (a catalog preset) adds the preset's description and source.
    """

    build: Build
    origin: str = ""
    models: tuple[str, ...] = ()
    quants: tuple[str, ...] = DEFAULT_QUANTS
    contexts: tuple[int, ...] = DEFAULT_CONTEXTS
    page_size: str = "A4"
    preset_id: str | None = None
    detected: DetectedPc | None = None
    date: datetime.date | None = None
    model_count: int = DEFAULT_MODEL_COUNT


@dataclass(frozen=True)
class PartRow:
    name: str
    kind: str
    quantity: int
    unit_price_usd: float | None
    price_kind: str  # used / new / launch / unknown
    as_of: str
    source: int | None

    @property
    def total_usd(self) -> float | None:
        return None if self.unit_price_usd is None else self.unit_price_usd * self.quantity


@dataclass(frozen=True)
class Totals:
    chosen_usd: float | None
    new_usd: float | None
    used_usd: float | None
    complete: bool


@dataclass(frozen=True)
class PowerRow:
    item: str
    watts: float
    note: str = ""


@dataclass(frozen=True)
class PsuCheck:
    peak_w: float
    psu_w: float | None
    verdict: str  # ok / tight / too small / not listed
    text: str


@dataclass(frozen=True)
class ProbeRow:
    probe: str
    status: str
    method: str
    reason: str
    elapsed_s: float


@dataclass(frozen=True)
class DetectedSection:
    facts: tuple[tuple[str, str], ...]  # (what, found)
    probes: tuple[ProbeRow, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Measured:
    test: str
    tokens_per_s: float
    source: int | None


@dataclass(frozen=True)
class FitRow:
    model: str
    quant: str
    context: int
    fit: Fit
    gpu_layers: int
    total_layers: int
    memory_gib: float
    gpu_capacity_gib: float
    ram_gib: float
    decode_tok_s: float | None
    decode_range: tuple[float, float] | None
    prefill_tok_s: float | None
    prefill_range: tuple[float, float] | None
    measured: tuple[Measured, ...] = ()


@dataclass(frozen=True)
class CostRow:
    model: str
    quant: str
    decode_tok_s: float | None
    usd_per_mtok: float | None
    tok_s_per_1000_usd: float | None


@dataclass(frozen=True)
class CostSummary:
    load_w: float
    idle_w: float
    kwh_per_day: float
    usd_per_day: float
    usd_per_kwh: float
    hours_per_day: float
    amortization_years: float


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[tuple[float, float], ...]  # (context tokens, tok/s)


@dataclass(frozen=True)
class MemoryBar:
    label: str
    weights_gib: float
    kv_gib: float
    overhead_gib: float
    capacity_gib: float


@dataclass(frozen=True)
class ScatterPoint:
    label: str
    price_usd: float
    tok_s: float
    highlight: bool = False


@dataclass(frozen=True)
class Charts:
    context_series: tuple[Series, ...] = ()
    context_label: str = ""
    memory_bars: tuple[MemoryBar, ...] = ()
    memory_label: str = ""
    scatter: tuple[ScatterPoint, ...] = ()
    scatter_label: str = ""


@dataclass(frozen=True)
class SheetData:
    title: str
    build_name: str
    origin: str
    date: str
    app_version: str
    catalog_version: str
    page_size: str
    description: str = ""
    parts: tuple[PartRow, ...] = ()
    totals: Totals = field(default_factory=lambda: Totals(None, None, None, False))
    power: tuple[PowerRow, ...] = ()
    psu: PsuCheck | None = None
    detected: DetectedSection | None = None
    fit_rows: tuple[FitRow, ...] = ()
    cost_rows: tuple[CostRow, ...] = ()
    cost: CostSummary | None = None
    charts: Charts = field(default_factory=Charts)
    assumptions: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
