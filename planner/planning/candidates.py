"""Candidate builds for buying advice: every catalog GPU at 1/2/4/8, every Apple configuration,
CPU-only boxes, the presets and the user's saved builds.

Each candidate is a build *spec dict* (what `build_from_spec` accepts and the user database
stores), so any result can be saved as it is. Parts the catalog does not price (board, case,
SSD, RAM, PSU) are priced from `PLATFORMS`, `RAM_USD_PER_GB` and `PSU_USD_PER_W`: explicit,
dated estimates, listed in each build's parts as `price_kind: "estimate"` (docs/PLANNING.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from planner.catalog.builds import build_from_spec, preset_spec
from planner.catalog.store import Catalog, Row
from planner.core.calibration import Calibration
from planner.core.cost import CostSettings
from planner.core.estimate import Estimate, estimate
from planner.core.memory import kv_cache_bytes, output_compute_buffer_bytes, weight_layout
from planner.core.model import ModelArch
from planner.core.placement import Fit
from planner.core.quant import QuantType
from planner.core.workload import Workload
from planner.errors import PlannerError

GPU_COUNTS = (1, 2, 4, 8)
RAM_SIZES_GB = (32, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096)
PLATFORM_OVERHEAD_W = 150.0  # board, RAM, drives and fans, for PSU sizing
PSU_HEADROOM = 1.25
ESTIMATE_AS_OF = "2026-05"
ESTIMATE_SOURCE = "planner estimate (docs/PLANNING.md)"

# Estimates, not catalog prices: US street prices for the parts around the CPU and GPUs.
RAM_USD_PER_GB = {4: 2.5, 5: 4.0}  # DDR4 / DDR5 (RDIMM on server platforms costs about the same per GB)
PSU_USD_PER_W = 0.13  # an 850 W ATX unit is about $110; server PSUs are priced the same per watt


@dataclass(frozen=True)
class Platform:
    """The machine around the GPUs: which catalog CPU, and what the rest costs (an estimate)."""

    name: str
    cpu_id: str
    max_gpus: int
    base_usd: float  # board, case or chassis, SSD, cooling: an estimate
    contents: str


PLATFORMS = (
    Platform("desktop", "ryzen-7-5800x", 2, 250.0, "AM4 board, case, 1 TB SSD, cooler"),
    Platform("workstation", "threadripper-7960x", 4, 1100.0, "TRX50 board, 4-slot case or open frame, SSD, cooler"),
    Platform("server", "epyc-7763", 8, 2500.0, "SP3 board, 8-GPU chassis with risers, SSD, cooling"),
)
CPU_ONLY_PLATFORM = {"desktop": PLATFORMS[0], "hedt": PLATFORMS[1], "server": PLATFORMS[2]}


@dataclass(frozen=True)
class Candidate:
    spec: dict[str, Any]
    kind: str  # preset, saved, gpu, apu, apple, cpu-only


@dataclass
class CandidateSet:
    candidates: list[Candidate] = field(default_factory=list)
    unpriced: list[str] = field(default_factory=list)  # names of items with no price to rank by


def ram_size_gb(needed_gb: float, max_gb: float | None) -> float:
    """The smallest common RAM size that holds `needed_gb`, capped by what the CPU supports."""
    cap = max_gb or RAM_SIZES_GB[-1]
    size = next((s for s in RAM_SIZES_GB if s >= needed_gb), RAM_SIZES_GB[-1])
    return float(min(size, max(s for s in RAM_SIZES_GB if s <= cap)))


def psu_size_w(load_w: float) -> float:
    return float(math.ceil(load_w * PSU_HEADROOM / 50) * 50)


def platform_parts(platform: Platform, ddr_gen: int, ram_gb: float, psu_w: float) -> list[dict[str, Any]]:
    """The estimated parts: platform, RAM and PSU, each marked as an estimate."""
    ram_usd = ram_gb * RAM_USD_PER_GB.get(ddr_gen, RAM_USD_PER_GB[5])
    return [
        _estimate_part(f"{platform.name} platform: {platform.contents}", platform.base_usd),
        _estimate_part(f"{ram_gb:g} GB DDR{ddr_gen}", ram_usd),
        _estimate_part(f"{psu_w:g} W power supply", psu_w * PSU_USD_PER_W),
    ]


def _estimate_part(name: str, price_usd: float) -> dict[str, Any]:
    return {
        "name": name, "kind": "platform", "price_usd": round(price_usd, 2), "price_kind": "estimate",
        "as_of": ESTIMATE_AS_OF, "source_url": ESTIMATE_SOURCE,
    }  # fmt: skip


def gpu_price(row: Row, used: bool) -> float | None:
    """The price `build_from_spec` will pick for this GPU (used falls back to new, then launch)."""
    new = row.get("price_new_usd") or row.get("launch_price_usd")
    return (row.get("price_used_usd") or new) if used else new


def gpu_spec(catalog: Catalog, row: Row, count: int, used: bool, footprint_gb: float) -> dict[str, Any]:
    """`count` of one GPU on the platform sized for them, RAM sized for the model's spill."""
    platform = next(p for p in PLATFORMS if count <= p.max_gpus)
    cpu = catalog.cpu_rows[platform.cpu_id]
    vram_gb = float(row["vram_gb"]) * count
    spill_gb = (footprint_gb - 0.9 * vram_gb) / 0.9
    ram_gb = ram_size_gb(max(32.0, vram_gb, spill_gb), cpu.get("max_memory_gb"))
    psu_w = psu_size_w((row["board_power_w"] or 0.0) * count + (cpu["tdp_w"] or 0.0) + PLATFORM_OVERHEAD_W)
    label = "used" if used and row.get("price_used_usd") else "new"
    prefix = f"{count}x " if count > 1 else ""
    return {
        "name": f"{prefix}{row['name']} ({label}) + {cpu['name']}, {ram_gb:g} GB",
        "gpus": [{"gpu": row["id"], "count": count, "price_kind": "used" if used else "new"}],
        "cpu": cpu["id"],
        "ram_gb": ram_gb,
        "psu_w": psu_w,
        "split": "layer",
        "parts": platform_parts(platform, cpu["ddr_gen"], ram_gb, psu_w),
        "notes": f"Generated by `planner plan`: {platform.name} platform; board, RAM and PSU prices are estimates.",
    }


def _gpu_candidates(catalog: Catalog, used: bool, footprint_gb: float, out: CandidateSet) -> None:
    for row in catalog.gpu_rows.values():
        if row["segment"] == "wafer":
            continue  # a CS-3 is a whole system: the preset covers it
        if gpu_price(row, used) is None:
            out.unpriced.append(row["name"])
            continue
        if row["memory_kind"] == "unified":
            spec = {
                "name": f"{row['name']} system",
                "gpus": [{"gpu": row["id"], "count": 1, "price_kind": "used" if used else "new"}],
                "ram_gb": float(row["vram_gb"]),
                "notes": "Generated by `planner plan`: a whole unified-memory system, priced as one part.",
            }
            out.candidates.append(Candidate(spec, "apu"))
            continue
        for count in GPU_COUNTS:
            out.candidates.append(Candidate(gpu_spec(catalog, row, count, used, footprint_gb), "gpu"))


def _apple_candidates(catalog: Catalog, out: CandidateSet) -> None:
    priced = {r["item_id"] for r in catalog.rows("SELECT item_id FROM prices WHERE item_table = 'apple_chips'")}
    for row in catalog.apple_rows.values():
        for memory in (float(x) for x in str(row["memory_options_gb"]).split(";") if x.strip()):
            name = f"{row['name']}, {memory:g} GB"
            if f"{row['id']}@{memory:g}" not in priced:
                out.unpriced.append(name)
                continue
            spec = {"name": name, "apple_chip": row["id"], "unified_memory_gb": memory}
            out.candidates.append(Candidate(spec, "apple"))


def _cpu_candidates(catalog: Catalog, footprint_gb: float, out: CandidateSet) -> None:
    for row in catalog.cpu_rows.values():
        price = row.get("price_new_usd") or row.get("launch_price_usd")
        if price is None:
            out.unpriced.append(row["name"])
            continue
        platform = CPU_ONLY_PLATFORM.get(row["segment"], PLATFORMS[0])
        ram_gb = ram_size_gb(max(32.0, footprint_gb / 0.9), row.get("max_memory_gb"))
        psu_w = psu_size_w((row["tdp_w"] or 0.0) + PLATFORM_OVERHEAD_W)
        spec = {
            "name": f"{row['name']} CPU-only, {ram_gb:g} GB",
            "cpu": row["id"],
            "ram_gb": ram_gb,
            "psu_w": psu_w,
            "parts": platform_parts(platform, row["ddr_gen"], ram_gb, psu_w),
            "notes": f"Generated by `planner plan`: CPU only, {platform.name} platform; board, RAM, PSU are estimates.",
        }
        out.candidates.append(Candidate(spec, "cpu-only"))


def generate(
    catalog: Catalog, used: bool, footprint_gb: float, saved_specs: Iterable[dict[str, Any]] = ()
) -> CandidateSet:
    """Every candidate for a model whose weights, KV cache and buffers take `footprint_gb`."""
    out = CandidateSet()
    out.candidates.extend(Candidate(preset_spec(catalog, preset_id), "preset") for preset_id in catalog.preset_rows)
    for spec in saved_specs:
        out.candidates.append(Candidate(dict(spec), "saved"))
    _gpu_candidates(catalog, used, footprint_gb, out)
    _apple_candidates(catalog, out)
    _cpu_candidates(catalog, footprint_gb, out)
    return out


@dataclass(frozen=True)
class Evaluated:
    candidate: Candidate
    estimate: Estimate
    vendors: tuple[str, ...]
    price_kinds: tuple[str, ...]

    @property
    def price_usd(self) -> float:
        return self.estimate.cost.hardware_usd or 0.0

    @property
    def decode(self) -> float:
        return self.estimate.decode_tok_s or 0.0

    @property
    def prefill(self) -> float:
        return self.estimate.prefill_tok_s or 0.0


@dataclass(frozen=True)
class Evaluation:
    """Every priced candidate estimated for one model, quant, context, KV type and price mode."""

    evaluated: tuple[Evaluated, ...]
    unpriced: tuple[str, ...]
    invalid: tuple[str, ...]


def footprint_gb(model: ModelArch, quant: QuantType, workload: Workload) -> float:
    """Weights, KV cache and compute buffer: what RAM is sized for when the GPUs cannot hold it."""
    layout = weight_layout(model, quant)
    return (layout.total_bytes + kv_cache_bytes(model, workload) + output_compute_buffer_bytes(model, workload)) / 1e9


def evaluate_all(
    catalog: Catalog,
    calibration: Calibration,
    cost_settings: CostSettings,
    model: ModelArch,
    quant: QuantType,
    workload: Workload,
    used: bool,
    saved_specs: Iterable[dict[str, Any]] = (),
) -> Evaluation:
    """Estimate every candidate with `planner.core.estimate.estimate` (the numbers `planner estimate` gives)."""
    candidates = generate(catalog, used, footprint_gb(model, quant, workload), saved_specs)
    evaluated, unpriced, invalid = [], list(candidates.unpriced), []
    for cand in candidates.candidates:
        try:
            build = build_from_spec(catalog, cand.spec)
            est = estimate(build, model, quant, workload, calibration, cost_settings)
        except PlannerError:
            invalid.append(str(cand.spec.get("name", "unnamed build")))
            continue
        if est.cost.hardware_usd is None or not est.cost.complete_prices:
            unpriced.append(build.name)
            continue
        price_kinds = tuple(p.price_kind for p in build.parts)
        evaluated.append(Evaluated(cand, est, _vendors(catalog, est), price_kinds))
    return Evaluation(tuple(evaluated), tuple(unpriced), tuple(invalid))


def _vendors(catalog: Catalog, est: Estimate) -> tuple[str, ...]:
    """The GPUs' vendors, or the CPU's for a CPU-only build."""
    if est.build.gpus:
        return tuple(sorted({g.accelerator.vendor for g in est.build.gpus}))
    row = catalog.cpu_rows.get(est.build.cpu.id)
    return (row["vendor"],) if row else ()


def describe(
    est: Estimate, *, min_tok_s: float, min_prompt_tok_s: float, budget_usd: float | None, max_power_w: float | None
) -> tuple[str, ...]:
    """Fit, speed, price and power in words, each against its limit where one was set."""
    p, cost = est.placement, est.cost
    if est.fit == Fit.GPU:
        fit = f"fits fully on the GPU ({p.gpu_layers}/{p.total_layers} layers; up to {est.max_context_on_gpu:,} tokens)"
    elif est.fit == Fit.CPU:
        fit = f"runs on the CPU from {est.build.ram_gb:g} GB of system RAM"
    else:
        held = "the output layer" if p.gpu_layers == p.total_layers else f"{p.cpu_layers} layers"
        fit = f"partial offload: {p.gpu_layers}/{p.total_layers} layers on the GPU, {held} in system RAM"
    lo, hi = est.decode_range or (0.0, 0.0)
    decode, prefill = est.decode_tok_s or 0.0, est.prefill_tok_s or 0.0
    estimated = sum((x.price_usd or 0.0) * x.quantity for x in est.build.parts if x.price_kind == "estimate")
    kinds = ", ".join(sorted({x.price_kind for x in est.build.parts})) or "build price"
    price = f"${cost.hardware_usd or 0:,.0f} ({kinds}"
    price += f"; includes ${estimated:,.0f} estimated for board, RAM and PSU)" if estimated else ")"
    return (
        fit,
        f"{decode:,.1f} tok/s generation (range {lo:,.1f}-{hi:,.1f})" + _limit(decode, min_tok_s or None, "tok/s", 1),
        f"{prefill:,.0f} tok/s prompt processing" + _limit(prefill, min_prompt_tok_s or None, "tok/s", 1),
        price + _limit(cost.hardware_usd or 0.0, budget_usd, "budget", -1),
        f"{cost.power_load_w:,.0f} W under load" + _limit(cost.power_load_w, max_power_w, "W limit", -1),
    )


def _limit(value: float, limit: float | None, unit: str, sign: int) -> str:
    """' (meets the 20 tok/s asked)' or ' (misses ...)': `sign` 1 for a minimum, -1 for a maximum."""
    if limit is None:
        return ""
    shown = f"${limit:,.0f} {unit}" if unit == "budget" else f"{limit:,.6g} {unit}"
    return f"; {'meets' if sign * (value - limit) >= 0 else 'misses'} the {shown}"
