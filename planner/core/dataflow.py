"""Wafer-scale and dataflow systems (Cerebras CS-3, Groq LPU, SambaNova SN40L).

They are not GPUs and are never rooflined: their weights sit in on-chip SRAM spread over
many chips or systems, and their vendors publish per-user speeds, not the hardware
counters a roofline needs. The planner answers with the vendor's published figures, the
number of systems a model needs (as the vendor states it, or as the weights fill the
on-chip SRAM), and what that many systems cost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from planner.core.units import GB

# A published speed is for one stream; how many streams a system serves at once is not
# published, so a one-stream $/Mtok is the upper bound of what a token costs.
STREAMS_NOTE = "vendors publish per-user speed only; how many users one system serves at once is not published"


@dataclass(frozen=True)
class DataflowSystem:
    """One unit of a dataflow product (a CS-3 system, a GroqChip, an SN40L socket)."""

    id: str
    vendor: str
    name: str
    unit: str
    on_chip_sram_gb: float
    package_memory_gb: float = 0.0
    external_memory: str = ""
    external_memory_tb: float = 0.0
    power_w: float | None = None
    price_usd: float | None = None
    source_url: str = ""
    as_of: str = ""
    notes: str = ""

    @property
    def weights_in_sram(self) -> bool:
        """Cerebras and Groq serve from SRAM; SambaNova from HBM with SRAM as its cache."""
        return self.package_memory_gb == 0.0


@dataclass(frozen=True)
class VendorFigure:
    """A published speed for one model (always vendor- or third-party-measured, never estimated)."""

    model_id: str
    metric: str  # per_user_tok_s | ttft_s
    value: float
    systems: int | None
    source_url: str
    source_title: str
    as_of: str
    exact_model: bool = True


@dataclass(frozen=True)
class DataflowAnswer:
    system: DataflowSystem
    units_in_build: int
    model_name: str
    weights_gb: float
    units_needed: int
    units_basis: str
    per_user_tok_s: float | None
    ttft_s: float | None
    figures: tuple[VendorFigure, ...] = field(default=())
    usd_per_mtok_one_stream: float | None = None

    @property
    def fit(self) -> str:
        if self.units_needed > self.units_in_build:
            return f"needs {self.units_needed} {self.system.unit}s"
        return "vendor-served" if self.per_user_tok_s else "fits (no published speed)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "dataflow",
            "system": self.system.name,
            "model": self.model_name,
            "fit": self.fit,
            "units_in_build": self.units_in_build,
            "units_needed": self.units_needed,
            "units_basis": self.units_basis,
            "weights_gb": round(self.weights_gb, 1),
            "on_chip_sram_gb": self.system.on_chip_sram_gb,
            "external_memory": self.system.external_memory,
            "per_user_tok_s": self.per_user_tok_s,
            "ttft_s": self.ttft_s,
            "usd_per_mtok_one_stream": None
            if self.usd_per_mtok_one_stream is None
            else round(self.usd_per_mtok_one_stream, 2),
            "hardware_usd": None if self.system.price_usd is None else self.system.price_usd * self.units_needed,
            "power_w": None if self.system.power_w is None else self.system.power_w * self.units_needed,
            "estimated": False,
            "measured": [
                {
                    "metric": f.metric,
                    "value": f.value,
                    "model": f.model_id,
                    "same_architecture_only": not f.exact_model,
                    "systems": f.systems,
                    "source": f.source_title,
                    "source_url": f.source_url,
                    "as_of": f.as_of,
                }
                for f in self.figures
            ],
            "notes": [STREAMS_NOTE, "speeds are vendor-published per-user figures, not a roofline"],
        }

    def summary(self, with_sources: bool = False) -> str:
        lines = [f"{self.system.name} is a {self.system.vendor} dataflow system, not a GPU: no roofline."]
        if self.per_user_tok_s:
            lines.append(
                f"Published speed for {self.model_name}: {self.per_user_tok_s:,.0f} tok/s per user "
                f"({len(self.figures)} cited figure(s); sources below)."
            )
        else:
            lines.append(f"No published speed for {self.model_name} on {self.system.name}.")
        lines.append(f"{self.model_name} needs {self.units_needed} {self.system.unit}(s) ({self.units_basis}).")
        if self.usd_per_mtok_one_stream is not None:
            lines.append(f"One stream costs ${self.usd_per_mtok_one_stream:,.2f}/Mtok ({STREAMS_NOTE}).")
        text = " ".join(lines)
        if with_sources and self.figures:
            cited = [
                f"{f.value:g} {'tok/s' if f.metric == 'per_user_tok_s' else 's to first token'} "
                f"({f.model_id}): {f.source_url}"
                for f in self.figures
            ]
            text += "\nSources: " + "; ".join(cited)
        return text


def units_needed(system: DataflowSystem, weights_bytes: float, stated: int | None) -> tuple[int, str]:
    """Systems (or chips) a model needs: the vendor's statement, else what its weights fill."""
    if stated:
        return stated, "as the vendor states"
    capacity_gb = system.on_chip_sram_gb if system.weights_in_sram else system.package_memory_gb
    needed = max(1, math.ceil(weights_bytes / GB / capacity_gb))
    where = "on-chip SRAM" if system.weights_in_sram else "package memory"
    return needed, f"16-bit weights over {capacity_gb:g} GB of {where} each"


def answer(
    system: DataflowSystem,
    units_in_build: int,
    model_name: str,
    weights_bytes: float,
    figures: list[VendorFigure],
    usd_per_mtok: Any = None,
) -> DataflowAnswer:
    """The cited answer for one model. `usd_per_mtok(hardware_usd, power_w, tok_s)` prices a stream."""
    exact = [f for f in figures if f.exact_model] or figures
    speeds = [f.value for f in exact if f.metric == "per_user_tok_s"]
    ttfts = [f.value for f in exact if f.metric == "ttft_s"]
    stated = next((f.systems for f in figures if f.systems), None)
    needed, basis = units_needed(system, weights_bytes, stated)
    speed = median(speeds) if speeds else None
    one_stream = None
    if speed and usd_per_mtok is not None and system.price_usd is not None:
        one_stream = usd_per_mtok(system.price_usd * needed, (system.power_w or 0.0) * needed, speed)
    return DataflowAnswer(
        system=system,
        units_in_build=units_in_build,
        model_name=model_name,
        weights_gb=weights_bytes / GB,
        units_needed=needed,
        units_basis=basis,
        per_user_tok_s=speed,
        ttft_s=median(ttfts) if ttfts else None,
        figures=tuple(figures),
        usd_per_mtok_one_stream=one_stream,
    )
