"""Hypothesis properties of the estimator: more hardware never makes things worse."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.catalog.store import Catalog
from planner.core.estimate import estimate
from planner.core.hardware import Accelerator, Build, GpuGroup
from planner.core.placement import Fit
from planner.core.workload import Workload

FIT_RANK = {Fit.GPU: 3, Fit.PARTIAL: 2, Fit.CPU: 1, Fit.NONE: 0}
MODELS = ["llama-3-8b", "llama-3-70b", "qwen3-30b-a3b", "gemma-3-4b", "gpt-oss-20b", "mistral-7b-v0.3"]
QUANTS = ["Q4_K_M", "Q8_0", "F16", "Q2_K"]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def gpu(vram: float, bandwidth: float) -> Accelerator:
    return Accelerator(
        id="test", name="Test GPU", vendor="NVIDIA", memory_gb=vram, bandwidth_gbs=bandwidth,
        fp16_tflops=100.0, power_w=300.0, memory_type="GDDR6X",
    )  # fmt: skip


def run(
    catalog: Catalog,
    model: str,
    quant: str,
    vram: float,
    bw: float,
    ctx: int,
    depth: int = 0,
    ram: float = 64,
):
    build = Build(name="t", gpus=(GpuGroup(gpu(vram, bw)),), ram_gb=ram)
    m = catalog.model(model)
    q = catalog.quant(quant if m.is_moe or quant != "MXFP4" else "Q4_K_M")
    return estimate(build, m, q, Workload(context=ctx, depth=depth))


common = {
    "model": st.sampled_from(MODELS),
    "quant": st.sampled_from(QUANTS),
    "vram": st.floats(4, 200),
    "bw": st.floats(100, 4000),
    "ctx": st.integers(512, 32768),
}


@SETTINGS
@given(**common, extra=st.floats(0.5, 100))
def test_more_vram_never_worsens_the_fit(catalog, model, quant, vram, bw, ctx, extra) -> None:
    small = run(catalog, model, quant, vram, bw, ctx)
    large = run(catalog, model, quant, vram + extra, bw, ctx)
    assert FIT_RANK[large.fit] >= FIT_RANK[small.fit]
    assert large.placement.gpu_layers >= small.placement.gpu_layers


@SETTINGS
@given(**common, factor=st.floats(1.01, 4))
def test_more_bandwidth_never_slows_decoding(catalog, model, quant, vram, bw, ctx, factor) -> None:
    slow = run(catalog, model, quant, vram, bw, ctx)
    fast = run(catalog, model, quant, vram, bw * factor, ctx)
    if slow.decode_tok_s is not None:
        assert fast.decode_tok_s >= slow.decode_tok_s * (1 - 1e-9)


@SETTINGS
@given(**common, longer=st.integers(1, 65536))
def test_longer_context_never_speeds_decoding_nor_shrinks_memory(catalog, model, quant, vram, bw, ctx, longer) -> None:
    short = run(catalog, model, quant, vram, bw, ctx, depth=ctx // 2)
    long = run(catalog, model, quant, vram, bw, ctx + longer, depth=(ctx + longer) // 2)
    assert long.placement.kv_bytes >= short.placement.kv_bytes
    if long.decode_tok_s is not None and short.decode_tok_s is not None:
        assert long.decode_tok_s <= short.decode_tok_s * (1 + 1e-9)


@SETTINGS
@given(
    model=st.sampled_from(MODELS),
    quant=st.sampled_from(QUANTS),
    bw=st.floats(100, 4000),
    vram=st.floats(2, 60),
)
def test_more_gpu_layers_never_slow_decoding(catalog, model, quant, bw, vram) -> None:
    base = run(catalog, model, quant, vram, bw, 4096)
    more = run(catalog, model, quant, vram * 1.5, bw, 4096)
    if base.decode_tok_s and more.decode_tok_s and more.placement.gpu_layers >= base.placement.gpu_layers:
        assert more.decode_tok_s >= base.decode_tok_s * (1 - 1e-9)


@SETTINGS
@given(**common, depth=st.integers(0, 32768), kv=st.sampled_from(["f16", "q8_0", "q4_0"]))
def test_every_output_is_finite_and_positive(catalog, model, quant, vram, bw, ctx, depth, kv) -> None:
    m = catalog.model(model)
    build = Build(name="t", gpus=(GpuGroup(gpu(vram, bw)),), ram_gb=512)
    result = estimate(build, m, catalog.quant(quant), Workload(context=ctx, depth=depth, kv_cache=kv))
    values = result.to_dict()
    numbers = [values["decode_tok_s"], values["prefill_tok_s"], values["power_w"], values["electricity_usd_per_mtok"]]
    numbers += values["decode_tok_s_range"] + values["prefill_tok_s_range"]
    numbers += [v for k, v in values["memory"].items() if k.endswith("_gib")]
    assert result.fit != Fit.NONE
    assert all(math.isfinite(n) and n >= 0 for n in numbers)
    assert values["decode_tok_s"] > 0 and values["prefill_tok_s"] > 0
    assert values["usd_per_mtok"] is None  # the test build has no price: no cost per token


@SETTINGS
@given(**common, kv=st.sampled_from(["q8_0", "q4_0"]))
def test_a_quantized_kv_cache_never_needs_more_memory_nor_holds_fewer_layers(
    catalog, model, quant, vram, bw, ctx, kv
) -> None:
    build = Build(name="t", gpus=(GpuGroup(gpu(vram, bw)),), ram_gb=64)
    m = catalog.model(model)
    q = catalog.quant(quant if m.is_moe or quant != "MXFP4" else "Q4_K_M")
    f16 = estimate(build, m, q, Workload(context=ctx))
    small = estimate(build, m, q, Workload(context=ctx, kv_cache=kv))
    assert small.placement.kv_bytes <= f16.placement.kv_bytes
    assert small.placement.gpu_layers >= f16.placement.gpu_layers
    assert FIT_RANK[small.fit] >= FIT_RANK[f16.fit]
    assert small.max_context_on_gpu >= f16.max_context_on_gpu


def test_unknown_flops_mean_no_prompt_estimate_not_an_invented_one(catalog: Catalog) -> None:
    unknown = Accelerator(
        id="mystery", name="Mystery GPU", vendor="NVIDIA", memory_gb=24, bandwidth_gbs=900,
        fp16_tflops=None, power_w=300,
    )  # fmt: skip
    build = Build(name="t", gpus=(GpuGroup(unknown),), ram_gb=64)
    result = estimate(build, catalog.model("llama-3-8b"), catalog.quant("Q4_K_M"), Workload())
    assert result.decode_tok_s is not None and result.decode_tok_s > 0
    assert result.prefill_tok_s is None and result.prefill_range is None
    assert any("Mystery GPU is unknown" in w for w in result.warnings)
    cpu_only = estimate(Build(name="cpu", ram_gb=64), catalog.model("llama-3-8b"), catalog.quant("Q4_K_M"), Workload())
    assert cpu_only.prefill_tok_s is not None
