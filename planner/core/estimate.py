"""The estimator's front door: one build x model x quant x workload -> fit, speed and cost."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner.core.calibration import PRIORS, Calibration
from planner.core.cost import Cost, CostSettings, cost_of
from planner.core.explain import assumptions, warnings
from planner.core.grid import make_grid
from planner.core.hardware import Backend, Build
from planner.core.memory import WeightLayout
from planner.core.model import ModelArch
from planner.core.physics import check_build, choose_backend, run_one
from planner.core.placement import DeviceLoad, Fit, Placement, capacities, gpu_room, placement_at
from planner.core.quant import QuantType
from planner.core.units import GIB
from planner.core.workload import Workload

__all__ = ["MIN_CONTEXT", "Estimate", "check_build", "choose_backend", "estimate", "max_context_on_gpu"]

MIN_CONTEXT = 256


@dataclass(frozen=True)
class Estimate:
    build: Build
    model: ModelArch
    quant: QuantType
    workload: Workload
    backend: Backend
    layout: WeightLayout
    placement: Placement
    max_context_on_gpu: int
    decode_tok_s: float | None
    decode_range: tuple[float, float] | None
    prefill_tok_s: float | None
    prefill_range: tuple[float, float] | None
    cost: Cost
    assumptions: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    measured: tuple[dict[str, Any], ...] = field(default=())

    @property
    def fit(self) -> Fit:
        return self.placement.verdict

    def to_dict(self) -> dict[str, Any]:
        p = self.placement
        return {
            "build": self.build.name,
            "model": self.model.name,
            "quant": self.quant.name,
            "backend": self.backend,
            "context": self.workload.context,
            "depth": self.workload.depth,
            "prompt": self.workload.prompt,
            "kv_cache": self.workload.kv_cache,
            "flash_attn": self.workload.flash_attn,
            "engine": str(self.workload.engine),
            "fit": p.verdict,
            "memory": {
                "weights_gib": _r(p.weights_bytes / GIB),
                "kv_cache_gib": _r(p.kv_bytes / GIB),
                "overhead_gib": _r(p.overhead_bytes / GIB),
                "total_gib": _r((p.weights_bytes + p.kv_bytes + p.overhead_bytes) / GIB),
                "gpu_capacity_gib": _r(p.gpu_capacity_bytes / GIB),
                "ram_needed_gib": _r(p.cpu_bytes / GIB),
                "ram_gib": _r(p.cpu_bytes / GIB),
                "ram_capacity_gib": _r(p.ram_capacity_bytes / GIB),
                "expert_layers_in_ram": p.expert_layers_in_ram,
                "per_device": [_device_dict(d) for d in p.devices],
            },
            "gpu_layers": p.gpu_layers,
            "total_layers": p.total_layers,
            "max_context_on_gpu": self.max_context_on_gpu,
            "decode_tok_s": _r(self.decode_tok_s),
            "decode_tok_s_range": _rr(self.decode_range),
            "prefill_tok_s": _r(self.prefill_tok_s),
            "prefill_tok_s_range": _rr(self.prefill_range),
            "power_w": _r(self.cost.power_load_w, 0),
            "idle_power_w": _r(self.cost.power_idle_w, 0),
            "hardware_usd": _r(self.cost.hardware_usd, 0),
            "hardware_new_usd": _r(self.cost.hardware_new_usd, 0),
            "hardware_used_usd": _r(self.cost.hardware_used_usd, 0),
            "prices_complete": self.cost.complete_prices,
            "usd_per_mtok": _r(self.cost.usd_per_mtok, 3),
            "electricity_usd_per_mtok": _r(self.cost.electricity_usd_per_mtok, 3),
            "tok_s_per_1000_usd": _r(self.cost.tok_s_per_1000_usd, 3),
            "measured": list(self.measured),
            "assumptions": list(self.assumptions),
            "warnings": list(self.warnings),
        }


def _device_dict(d: DeviceLoad) -> dict[str, Any]:
    """One GPU as llama.cpp's load log shows it: model buffer, KV buffer, compute buffer, plus
    the backend's reserve; `capacity_gib` is the driver's total (binary units)."""
    total = d.capacity_bytes if d.accelerator.unified else d.accelerator.memory_bytes
    reserve = max(total - d.capacity_bytes, 0.0)
    return {
        "device": d.accelerator.name,
        "layers": d.layers,
        "weights_gib": _r(d.weights_bytes / GIB),
        "kv_cache_gib": _r(d.kv_bytes / GIB),
        "compute_gib": _r(d.overhead_bytes / GIB),
        "reserve_gib": _r(reserve / GIB),
        "overhead_gib": _r((d.overhead_bytes + reserve) / GIB),
        "used_gib": _r((d.used_bytes + reserve) / GIB),
        "capacity_gib": _r(total / GIB),
    }


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _rr(pair: tuple[float, float] | None) -> list[float] | None:
    return None if pair is None else [round(pair[0], 2), round(pair[1], 2)]


def estimate(
    build: Build,
    model: ModelArch,
    quant: QuantType,
    workload: Workload,
    calibration: Calibration = PRIORS,
    cost_settings: CostSettings | None = None,
    with_max_context: bool = True,
) -> Estimate:
    """One cell of the model (`planner.core.physics.run`) plus its extras: per-device
    loads, the longest context that stays on the GPUs, cost, assumptions and warnings."""
    result = run_one(build, model, quant, workload, calibration)
    placement = placement_at(result.grid, result.placement)
    backend = result.backend
    decode = prefill = None
    decode_band = prefill_band = None
    if placement.verdict != Fit.NONE:
        decode = float(result.decode_tok_s)
        decode_band = (float(result.decode_range[0]), float(result.decode_range[1]))
        if math.isfinite(result.prefill_tok_s):  # NaN where a GPU's compute is unknown
            prefill = float(result.prefill_tok_s)
            prefill_band = (float(result.prefill_range[0]), float(result.prefill_range[1]))
    cost = cost_of(build, decode, cost_settings or CostSettings(), cpu_busy=placement.cpu_layers > 0)
    return Estimate(
        build=build,
        model=model,
        quant=quant,
        workload=workload,
        backend=backend,
        layout=result.grid.layout,
        placement=placement,
        max_context_on_gpu=(
            max_context_on_gpu(build, model, quant, workload, calibration, backend) if with_max_context else -1
        ),
        decode_tok_s=decode,
        decode_range=decode_band,
        prefill_tok_s=prefill,
        prefill_range=prefill_band,
        cost=cost,
        assumptions=assumptions(build, quant, workload, backend, calibration),
        warnings=warnings(build, model, workload, placement),
    )


def max_context_on_gpu(
    build: Build,
    model: ModelArch,
    quant: QuantType,
    workload: Workload,
    calibration: Calibration,
    backend: str,
) -> int:
    """Largest context (multiple of 256, up to the model's maximum) that fits fully on the GPUs.

    Every candidate context is placed at once; a longer context never needs less memory,
    so the answer is the last of the leading run of contexts that fit.
    """
    if backend == Backend.CPU or not build.gpus:
        return 0
    top = max(model.max_context, MIN_CONTEXT)
    contexts = list(range(MIN_CONTEXT, top + 1, 256))
    if contexts[-1] != top:
        contexts.append(top)
    grid = make_grid([model], [quant], contexts, [0] * len(contexts), workload)
    caps = capacities(tuple(build.accelerators), workload, calibration, backend)
    with np.errstate(all="ignore"):
        fits = gpu_room(grid, caps).complete[0, 0]
    if fits[-1]:
        return top
    leading = int(np.argmin(fits))  # index of the first context that does not fit
    return 0 if leading == 0 else contexts[leading - 1]
