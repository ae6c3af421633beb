"""Invariants of experts in RAM and of the settings search (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.calibration.shipped import load_calibration
from planner.catalog.store import Catalog
from planner.core.estimate import estimate
from planner.core.hardware import Build, GpuGroup
from planner.core.llama_settings import LlamaSettings
from planner.core.workload import Workload
from planner.estimation.front import Estimator
from planner.planning.best_runner import RunTarget
from planner.planning.best_settings import combinations, offload_values, search
from planner.resources import calibration_path

MOE_MODELS = ("gpt-oss-120b", "qwen3-30b-a3b", "qwen3-235b-a22b", "deepseek-r1", "mixtral-8x7b")
GPUS = ("rtx-3060-12gb", "rtx-4090", "rtx-5090", "rtx-3090")
CPUS = ("ryzen-9-9950x", "epyc-9654", "threadripper-pro-7975wx", "core-i5-12400")
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _setup(catalog: Catalog, model_id: str, gpu: str, cpu: str, ram_gb: float) -> tuple[Build, object, object]:
    build = Build(name="t", gpus=(GpuGroup(catalog.accelerator(gpu)),), cpu=catalog.cpu(cpu), ram_gb=ram_gb)
    model = catalog.model(model_id)
    quant = catalog.quant("MXFP4" if model_id.startswith("gpt-oss") else "Q4_K_M")
    return build, model, quant


@SLOW
@given(
    model_id=st.sampled_from(MOE_MODELS), gpu=st.sampled_from(GPUS), cpu=st.sampled_from(CPUS),
    context=st.sampled_from([2048, 8192, 32768]), n=st.integers(0, 60), step=st.integers(1, 30),
)  # fmt: skip
def test_more_experts_in_ram_never_raise_vram_nor_speed_up_generation(
    catalog: Catalog, model_id: str, gpu: str, cpu: str, context: int, n: int, step: int
) -> None:
    """With `-ngl 999 --n-cpu-moe N` (every layer on the GPU, as people run it)."""
    build, model, quant = _setup(catalog, model_id, gpu, cpu, ram_gb=1024)
    estimator = Estimator(catalog, load_calibration(calibration_path()))
    evaluate = RunTarget(estimator, build, model.id, quant.name, Workload(context=context)).evaluator(False)
    fewer, more = (evaluate(LlamaSettings(context=context, n_cpu_moe=k)) for k in (n, n + step))
    if not more.fits:
        assert not fewer.fits  # fewer experts in RAM never fit where more do not
        return
    if fewer.fits:
        assert more.vram_bytes <= fewer.vram_bytes + 1.0
        if build.ram_bandwidth_gbs < build.gpus[0].accelerator.bandwidth_gbs:
            assert more.decode_tok_s <= fewer.decode_tok_s * (1 + 1e-9)


@SLOW
@given(
    model_id=st.sampled_from(MOE_MODELS), gpu=st.sampled_from(GPUS), context=st.sampled_from([2048, 32768]),
    n=st.integers(0, 60), step=st.integers(1, 30),
)  # fmt: skip
def test_the_engine_alone_never_needs_more_vram_with_more_experts_in_ram(
    catalog: Catalog, model_id: str, gpu: str, context: int, n: int, step: int
) -> None:
    """Whatever -ngl does, the busiest GPU never fills up more when experts move to RAM."""
    build, model, quant = _setup(catalog, model_id, gpu, "ryzen-9-9950x", ram_gb=1024)
    calibration = load_calibration(calibration_path())
    runs = [
        estimate(build, model, quant, Workload(context=context, n_cpu_moe=k, gpu_layers=0), calibration, None, False)
        for k in (n, n + step)
    ]  # fmt: skip
    capacity = max(d.capacity_bytes for d in runs[0].placement.devices)
    assert all(max(d.used_bytes for d in r.placement.devices) <= capacity for r in runs)


@SLOW
@given(
    model_id=st.sampled_from(MOE_MODELS), gpu=st.sampled_from(GPUS), cpu=st.sampled_from(CPUS),
    ram_gb=st.sampled_from([64, 128, 256, 512]), context=st.sampled_from([4096, 16384]),
)  # fmt: skip
def test_best_fits_and_beats_every_feasible_point_of_a_grid(
    catalog: Catalog, model_id: str, gpu: str, cpu: str, ram_gb: int, context: int
) -> None:
    build, model, quant = _setup(catalog, model_id, gpu, cpu, ram_gb)
    estimator = Estimator(catalog, load_calibration(calibration_path()))
    target = RunTarget(estimator, build, model.id, quant.name, Workload(context=context))
    evaluate = target.evaluator(with_max_context=False)
    base = LlamaSettings(context=context)
    result = search(evaluate, base, set(), "speed", model.is_moe, model.n_layers, model.n_dense_layers)
    _, values = offload_values(model.is_moe, model.n_layers, model.n_dense_layers)
    grid = [evaluate(c.with_(n_cpu_moe=v)) for c in combinations(base, set()) for v in values]
    feasible = [p for p in grid if p.fits]
    if result is None:
        assert not feasible
        return
    assert result.best.fits
    assert all(result.best.decode_tok_s >= p.decode_tok_s * (1 - 1e-9) for p in feasible)
