"""Assemble a `ServingSetup`: layout, KV capacity, cost, and (llama.cpp) the one-user baseline."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from planner.core.calibration import Calibration
from planner.core.cost import CostSettings, cost_of
from planner.core.estimate import estimate
from planner.core.grid import one_cell
from planner.core.hardware import Build, Split
from planner.core.model import ModelArch
from planner.core.physics import run_one
from planner.core.placement import FITS, Fit
from planner.core.quant import QuantType
from planner.core.serving import Layout, ServingSetup, curve, prefill_alone, step_shape
from planner.core.serving_calibration import ServingCalibration
from planner.core.serving_formats import Engine, ServingFormat, matrix_tflops
from planner.core.serving_memory import kv_capacity
from planner.core.units import GIB
from planner.core.workload import MAX_CONTEXT, Workload
from planner.errors import InputError

LARGE_GPU_GIB = 70  # vLLM V1 raises max_num_seqs from 256 to 1024 on GPUs of 70 GiB and more
LLAMA_CPP_MAX_SLOTS = 4096
LLAMA_KV = {"f16": "f16", "bf16": "bf16", "fp8": "q8_0", "q8_0": "q8_0", "q4_0": "q4_0"}


def _money(build: Build, settings: CostSettings) -> tuple[float, float | None]:
    cost = cost_of(build, 1.0, settings, cpu_busy=False)
    return cost.power_load_w, cost.usd_per_mtok


def _check_layout(build: Build, tp: int | None, pp: int | None) -> None:
    total = build.gpu_count
    need = (tp or 1) * (pp or 1)
    if need > total:
        raise InputError(
            f"--tensor-parallel {tp or 1} x --pipeline-parallel {pp or 1} needs {need} GPUs; {build.name} has {total}"
        )


def candidate_layouts(build: Build, tp: int | None, pp: int | None) -> list[Layout]:
    """The given layout, or every tp x pp split of the build (leftover GPUs serve as replicas)."""
    _check_layout(build, tp, pp)
    total, nodes = build.gpu_count, max(build.nodes, 1)
    per_node = total // nodes
    tps = [tp] if tp else [t for t in range(1, per_node + 1) if per_node % t == 0]
    pps = [pp] if pp else [p for p in range(1, nodes + 1) if nodes % p == 0]
    return [Layout(t, p, max(total // (t * p), 1)) for t in tps for p in pps if t * p <= total]


def gpu_setup(
    build: Build,
    model: ModelArch,
    engine: Engine,
    input_tokens: int,
    output_tokens: int,
    kv_cache: str,
    fmt: ServingFormat,
    tp: int | None,
    pp: int | None,
    target_users: int,
    serving: ServingCalibration,
    settings: CostSettings,
) -> ServingSetup:
    """vLLM / SGLang / TensorRT-LLM / MLX: the layout that serves `target_users` fastest."""
    if len({a.id for a in build.accelerators}) > 1:
        raise InputError(f"{engine.name} needs identical GPUs for tensor parallel; this build mixes models")
    acc = build.accelerators[0]
    depth = input_tokens + output_tokens // 2
    workload = Workload(context=input_tokens + output_tokens, depth=depth, prompt=input_tokens, kv_cache=kv_cache)
    grid = one_cell(model, fmt.as_quant(), workload.context, depth, workload)
    layout = grid.layout
    params = serving.engine(engine.name)
    power, usd = _money(build, settings)
    large = acc.memory_gb * 1e9 / GIB >= LARGE_GPU_GIB
    fraction = engine.memory_fraction
    best: ServingSetup | None = None
    best_output = -1.0
    for deployment in candidate_layouts(build, tp, pp):
        capacity = kv_capacity(
            engine,
            acc,
            model,
            layout.total_bytes,
            deployment.tp,
            deployment.pp,
            input_tokens + output_tokens,
            kv_cache,
            fraction,
            depth,
        )
        shape = step_shape(build, model, grid, deployment, matrix_tflops(acc, fmt.compute))
        setup = ServingSetup(
            engine=engine,
            params=params,
            layout=deployment,
            shape=shape,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            max_sequences=capacity.max_sequences,
            paged_sequences=capacity.paged_sequences,
            prefill_alone_s=prefill_alone(shape, params, input_tokens, engine.chunk_tokens),
            power_w=power,
            usd_per_mtok_at_1_tok_s=usd,
            engine_cap=engine.max_batch_large if large else engine.max_batch,
        )
        if not capacity.paged_sequences:
            best = best or setup
            continue
        output = float(curve(setup, np.array([float(target_users)]))["output_tok_s"][0])
        if output > best_output:
            best, best_output = setup, output
    assert best is not None
    return best


def llama_cpp_setup(
    build: Build,
    model: ModelArch,
    engine: Engine,
    input_tokens: int,
    output_tokens: int,
    kv_cache: str,
    quant: QuantType,
    tp: int | None,
    pp: int | None,
    calibration: Calibration,
    serving: ServingCalibration,
    settings: CostSettings,
) -> ServingSetup:
    """llama-server: the one-user speed is `planner estimate`'s; batching scales it."""
    _check_layout(build, tp, pp)
    if tp and tp > 1:
        build = replace(build, split=Split.TENSOR)
    context = input_tokens + output_tokens
    workload = Workload(
        context=context,
        depth=input_tokens + output_tokens // 2,
        prompt=input_tokens,
        kv_cache=LLAMA_KV.get(kv_cache, "f16"),
    )
    single = estimate(build, model, quant, workload, calibration, settings, with_max_context=False)
    if single.fit != Fit.NONE and single.decode_tok_s and not single.prefill_tok_s:
        raise InputError(
            f"{build.accelerators[0].name} has no known FP16 rate: prompt time, and so serving, cannot be estimated"
        )
    if single.fit == Fit.NONE or not single.decode_tok_s or not single.prefill_tok_s:
        raise InputError(f"{model.name} {quant.name} does not fit on {build.name} (GPU memory plus system RAM)")
    slots = _max_slots(build, model, quant, workload, calibration, single.fit)
    acc = build.accelerators[0]
    deployment = Layout(tp=build.gpu_count if build.split == "tensor" else 1, pp=1, replicas=1)
    grid = one_cell(model, quant, context, workload.depth, workload)
    shape = step_shape(build, model, grid, deployment, acc.matrix_tflops, one_user_s=1.0 / single.decode_tok_s)
    power, usd = _money(build, settings)
    return ServingSetup(
        engine=engine,
        params=serving.engine("llama.cpp"),
        layout=deployment,
        shape=shape,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        max_sequences=slots,
        paged_sequences=slots,
        prefill_alone_s=input_tokens / single.prefill_tok_s,
        power_w=power,
        usd_per_mtok_at_1_tok_s=usd,
        engine_cap=max(slots, 1),
    )


def _max_slots(
    build: Build, model: ModelArch, quant: QuantType, workload: Workload, calibration: Calibration, one_fit: str
) -> int:
    """Largest -np whose KV (np x context, one unified cache) still fits as one slot did."""
    context = workload.context

    def fits(n: int) -> bool:
        placed = run_one(build, model, quant, replace(workload, context=n * context), calibration).placement
        verdict = FITS[int(placed.verdict)]
        return verdict == Fit.GPU if one_fit == Fit.GPU else verdict != Fit.NONE

    if not fits(1):
        return 1
    low, high = 1, max(1, min(LLAMA_CPP_MAX_SLOTS, MAX_CONTEXT // context))
    if fits(high):
        return high
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if fits(mid) else (low, mid)
    return low
