"""The words behind an estimate: what it assumes and what the user should watch out for."""

from __future__ import annotations

from planner.core.calibration import FLASH_TERMS, MIN_DEVICES_FITTED, MIN_ROWS_FITTED, PRIOR_WIDENING, Calibration
from planner.core.hardware import Build, Split
from planner.core.model import ModelArch
from planner.core.placement import Fit, Placement
from planner.core.quant import QuantType
from planner.core.workload import Workload

LABELS = {"decode": "generation", "prefill": "prompt-processing"}


def assumptions(
    build: Build, quant: QuantType, workload: Workload, backend: str, calibration: Calibration
) -> tuple[str, ...]:
    """What the numbers assume, in words (the app's *Why these numbers?*)."""
    params = calibration.backend(backend)
    notes = [
        f"runtime: {workload.engine}, {backend} backend, n_ubatch {workload.n_ubatch}, {_flash_attention(workload)}",
        f"KV cache {workload.kv_cache}, allocated for {workload.context:,} tokens",
        f"decode at {workload.depth:,} tokens of history, batch 1; prefill of {workload.prompt:,} tokens",
        f"calibration: {calibration.source}; decode reaches "
        f"{params.bandwidth_efficiency():.0%} of peak bandwidth (k-quants)",
        f"system RAM bandwidth {build.ram_bandwidth_gbs:.0f} GB/s for CPU-held layers",
    ]
    flash = [t for t in FLASH_TERMS if t in params.priors]
    if workload.flash_attention and flash:
        notes.append(
            "flash attention's own speed is not fitted (fewer than "
            f"{MIN_ROWS_FITTED} public rows ran with it): attention is costed as measured without it"
        )
    priors = [kind for kind in ("decode", "prefill") if params.is_prior(kind, quant.family)]
    if priors:
        what = " and ".join(LABELS[kind] for kind in priors)
        notes.append(
            f"the {quant.family} {what} efficiency on {backend} is a prior, not fitted: public "
            f"measurements of this quant family are too few (under {MIN_ROWS_FITTED} rows or "
            f"{MIN_DEVICES_FITTED} devices), so the likely range is widened {PRIOR_WIDENING:g}x each way"
        )
    if build.gpu_count > 1:
        notes.append(
            "multi-GPU: tensor parallel, all-reduce per layer"
            if build.split == Split.TENSOR
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


def warnings(build: Build, model: ModelArch, workload: Workload, placement: Placement) -> tuple[str, ...]:
    """What the user should know before trusting the numbers."""
    notes = []
    if workload.context > model.max_context:
        notes.append(f"{model.name} was trained for {model.max_context:,} tokens; {workload.context:,} exceeds it")
    if workload.depth > workload.context:
        notes.append("depth is larger than the context window")
    if any(g.accelerator.vendor == "Cerebras" for g in build.gpus):
        notes.append("Cerebras systems run their own SDK, not llama.cpp: roofline only")
    if build.flops_unknown and placement.gpu_layers:
        notes.append(
            f"prompt processing cannot be estimated: the FP16 throughput of {', '.join(build.flops_unknown)} "
            "is unknown (add it in the Catalog tab)"
        )
    if placement.verdict == Fit.NONE:
        notes.append("the model does not fit in GPU memory plus system RAM")
    return tuple(notes)


def _flash_attention(workload: Workload) -> str:
    if workload.flash_attn == "auto":
        return "flash attention on (llama.cpp's default, --flash-attn auto)"
    return f"flash attention {workload.flash_attn} (--flash-attn {workload.flash_attn})"
