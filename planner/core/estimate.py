"""The estimator's front door: one build x model x quant x workload -> fit, speed and cost."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from planner.core.calibration import PRIORS, Calibration
from planner.core.cost import Cost, CostSettings, cost_of
from planner.core.hardware import BACKENDS, Build
from planner.core.memory import WeightLayout, weight_layout
from planner.core.model import ModelArch
from planner.core.placement import FIT_GPU, FIT_NONE, Placement, place
from planner.core.quant import QuantType
from planner.core.speed import decode_features, decode_seconds, prefill_features, prefill_seconds
from planner.core.units import GIB
from planner.core.workload import Workload
from planner.errors import InputError

MIN_CONTEXT = 256


@dataclass(frozen=True)
class Estimate:
    build: Build
    model: ModelArch
    quant: QuantType
    workload: Workload
    backend: str
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
    def fit(self) -> str:
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
            "fit": p.verdict,
            "memory": {
                "weights_gib": _r(p.weights_bytes / GIB),
                "kv_cache_gib": _r(p.kv_bytes / GIB),
                "overhead_gib": _r(p.overhead_bytes / GIB),
                "total_gib": _r((p.weights_bytes + p.kv_bytes + p.overhead_bytes) / GIB),
                "gpu_capacity_gib": _r(p.gpu_capacity_bytes / GIB),
                "ram_needed_gib": _r(p.cpu_bytes / GIB),
                "per_device": [
                    {
                        "device": d.accelerator.name,
                        "layers": d.layers,
                        "weights_gib": _r(d.weights_bytes / GIB),
                        "kv_cache_gib": _r(d.kv_bytes / GIB),
                        "overhead_gib": _r(d.overhead_bytes / GIB),
                        "capacity_gib": _r(d.capacity_bytes / GIB),
                    }
                    for d in p.devices
                ],
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
            "tok_s_per_1000_usd": _r(self.cost.tok_s_per_1000_usd, 3),
            "measured": list(self.measured),
            "assumptions": list(self.assumptions),
            "warnings": list(self.warnings),
        }


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _rr(pair: tuple[float, float] | None) -> list[float] | None:
    return None if pair is None else [round(pair[0], 2), round(pair[1], 2)]


def choose_backend(build: Build, requested: str | None) -> str:
    if requested:
        if requested not in BACKENDS:
            raise InputError(f"unknown backend {requested!r}; choose one of {', '.join(BACKENDS)}")
        return requested
    vendors = {g.accelerator.vendor for g in build.gpus}
    if not vendors:
        return "cpu"
    if len(vendors) > 1:
        return "vulkan"
    return build.gpus[0].accelerator.native_backend


def check_build(build: Build) -> None:
    if build.nodes < 1 or any(g.count < 1 for g in build.gpus):
        raise InputError("a build needs at least 1 node and at least 1 of each GPU it lists")
    if build.ram_gb <= 0:
        raise InputError(f"system RAM must be more than 0 GB; got {build.ram_gb}")


def estimate(
    build: Build,
    model: ModelArch,
    quant: QuantType,
    workload: Workload,
    calibration: Calibration = PRIORS,
    cost_settings: CostSettings | None = None,
    with_max_context: bool = True,
) -> Estimate:
    check_build(build)
    backend = choose_backend(build, workload.backend)
    layout = weight_layout(model, quant)
    placement = place(build, model, layout, workload, calibration, backend)
    decode = prefill = None
    decode_band = prefill_band = None
    if placement.verdict != FIT_NONE:
        depth = workload.depth
        params = calibration.backend(backend)
        dfeat = decode_features(build, model, layout, placement, workload, calibration, depth, quant.family)
        decode = 1.0 / decode_seconds(dfeat, params)
        pfeat = prefill_features(
            build, model, layout, placement, workload, calibration, workload.prompt, depth,
            quant.family,
        )  # fmt: skip
        prefill = workload.prompt / prefill_seconds(pfeat, params)
        decode_band = (decode * params.decode_band[0], decode * params.decode_band[1])
        prefill_band = (prefill * params.prefill_band[0], prefill * params.prefill_band[1])
    cost = cost_of(build, decode, cost_settings or CostSettings(), cpu_busy=placement.cpu_layers > 0)
    return Estimate(
        build=build,
        model=model,
        quant=quant,
        workload=workload,
        backend=backend,
        layout=layout,
        placement=placement,
        max_context_on_gpu=(
            max_context_on_gpu(build, model, layout, workload, calibration, backend) if with_max_context else -1
        ),
        decode_tok_s=decode,
        decode_range=decode_band,
        prefill_tok_s=prefill,
        prefill_range=prefill_band,
        cost=cost,
        assumptions=_assumptions(build, workload, backend, calibration),
        warnings=_warnings(build, model, workload, placement),
    )


def max_context_on_gpu(
    build: Build,
    model: ModelArch,
    layout: WeightLayout,
    workload: Workload,
    calibration: Calibration,
    backend: str,
) -> int:
    """Largest context (multiple of 256, up to the model's maximum) that fits fully on the GPUs."""

    def fits(ctx: int) -> bool:
        return place(build, model, layout, workload, calibration, backend, context=ctx).verdict == FIT_GPU

    if backend == "cpu" or not build.gpus or not fits(MIN_CONTEXT):
        return 0
    top = max(model.max_context, MIN_CONTEXT)
    if fits(top):
        return top
    low, high = MIN_CONTEXT // 256, top // 256
    while high - low > 1:
        mid = (low + high) // 2
        if fits(mid * 256):
            low = mid
        else:
            high = mid
    return low * 256


def _assumptions(build: Build, workload: Workload, backend: str, calibration: Calibration) -> tuple[str, ...]:
    params = calibration.backend(backend)
    notes = [
        f"runtime: llama.cpp, {backend} backend, flash attention on, n_ubatch {workload.n_ubatch}",
        f"KV cache {workload.kv_cache}, allocated for {workload.context:,} tokens",
        f"decode at {workload.depth:,} tokens of history, batch 1; prefill of {workload.prompt:,} tokens",
        f"calibration: {calibration.source}; decode reaches "
        f"{params.bandwidth_efficiency():.0%} of peak bandwidth (k-quants)",
        f"system RAM bandwidth {build.ram_bandwidth_gbs:.0f} GB/s for CPU-held layers",
    ]
    if build.gpu_count > 1:
        notes.append(
            "multi-GPU: tensor parallel, all-reduce per layer"
            if build.split == "tensor"
            else "multi-GPU: layer split, GPUs run one after another for a single stream"
        )
    if build.is_unified:
        share = workload.gpu_memory_fraction
        notes.append(
            f"GPU may use {share:.0%} of unified memory"
            if share
            else "GPU may use macOS's default share of unified memory (2/3 up to 32 GB, 3/4 above)"
        )
    return tuple(notes)


def _warnings(build: Build, model: ModelArch, workload: Workload, placement: Placement) -> tuple[str, ...]:
    warnings = []
    if workload.context > model.max_context:
        warnings.append(f"{model.name} was trained for {model.max_context:,} tokens; {workload.context:,} exceeds it")
    if workload.depth > workload.context:
        warnings.append("depth is larger than the context window")
    if any(g.accelerator.vendor == "Cerebras" for g in build.gpus):
        warnings.append("Cerebras systems run their own SDK, not llama.cpp: roofline only")
    if placement.verdict == FIT_NONE:
        warnings.append(
            "the model does not fit in unified memory"
            if build.is_unified
            else "the model does not fit in GPU memory plus system RAM"
        )
    return tuple(warnings)
