"""Prompt processing with work on the CPU: sustained clock, roofline, repacked experts."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.calibration.offload_data import offload_points
from planner.calibration.shipped import load_calibration
from planner.catalog.store import Catalog
from planner.core.calibration import Calibration
from planner.core.hardware import Build, GpuGroup
from planner.core.physics import run_one
from planner.core.workload import Engine, Workload
from planner.resources import calibration_path

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def shipped() -> Calibration:
    return load_calibration(calibration_path())


def test_cpu_matrix_rate_is_taken_at_the_base_clock(catalog: Catalog) -> None:
    xeon = catalog.cpu("Xeon 6980P")
    assert xeon.base_clock_ghz == 2.0 and xeon.boost_clock_ghz == 3.9  # Intel ark
    assert xeon.sustained_gflops == pytest.approx(xeon.peak_gflops * 2.0 / 3.9)
    assert replace(xeon, base_clock_ghz=None).sustained_gflops == xeon.peak_gflops


@SETTINGS
@given(base=st.floats(1.0, 3.9))
def test_cpu_only_prompt_speed_follows_the_base_clock(catalog: Catalog, shipped: Calibration, base: float) -> None:
    xeon = catalog.cpu("Xeon 6980P")
    model, quant = catalog.model("deepseek-r1"), catalog.quant("Q4_K_M")
    workload = Workload(context=4096, engine=Engine.IK_LLAMA_CPP, backend="cpu", threads=128)

    def prompt_speed(clock: float) -> float:
        build = Build(name="cpu", gpus=(), cpu=replace(xeon, base_clock_ghz=clock), ram_gb=1024)
        return float(run_one(build, model, quant, workload, shipped).prefill_tok_s)

    assert prompt_speed(base) / prompt_speed(3.9) == pytest.approx(base / 3.9, rel=0.02)


def _ik_offload(catalog: Catalog, repacked: bool, ubatch: int) -> tuple[Build, Workload]:
    build = Build(name="t", gpus=(GpuGroup(catalog.accelerator("rtx-a6000")),), cpu=catalog.cpu("7965WX"), ram_gb=1024)
    workload = Workload(
        context=8192, engine=Engine.IK_LLAMA_CPP, n_cpu_moe=80, gpu_layers=999, n_ubatch=ubatch, repacked=repacked
    )
    return build, workload


@pytest.mark.parametrize("ubatch", [512, 2048, 4096])
def test_repacked_experts_never_cross_pcie(catalog: Catalog, shipped: Calibration, ubatch: int) -> None:
    """ik_llama.cpp's interleaved-row layouts (-rtr, _R4) have no GPU kernels: the link speed
    cannot matter; without repacking, at a u-batch that gives each expert 32 tokens, it does."""
    model, quant = catalog.model("qwen3-235b-a22b"), catalog.quant("Q8_0")

    def speed(repacked: bool, pcie_gbs: float) -> float:
        build, workload = _ik_offload(catalog, repacked, ubatch)
        return float(run_one(build, model, quant, workload, replace(shipped, pcie_gbs=pcie_gbs)).prefill_tok_s)

    assert speed(True, 8.0) == pytest.approx(speed(True, 64.0))
    assert speed(False, 8.0) < speed(False, 64.0) * 0.8


def test_experts_on_the_cpu_cost_the_slower_of_streaming_and_compute(catalog: Catalog, shipped: Calibration) -> None:
    """A u-batch streams the RAM-held experts once while the cores compute on them: a roofline
    (the larger), not their sum. Doubling the threads' RAM rate, when compute binds, changes nothing."""
    model, quant = catalog.model("deepseek-r1"), catalog.quant("Q4_K_M")
    build, workload = _ik_offload(catalog, True, 512)
    workload = replace(workload, n_cpu_moe=61)

    def speed(thread_gbs: float) -> float:
        return float(run_one(build, model, quant, workload, replace(shipped, cpu_thread_gbs=thread_gbs)).prefill_tok_s)

    assert speed(shipped.cpu_thread_gbs * 2) == pytest.approx(speed(shipped.cpu_thread_gbs))
    assert speed(shipped.cpu_thread_gbs / 4) < speed(shipped.cpu_thread_gbs) * 0.8  # now streaming binds


def test_offload_rows_say_which_ran_repacked_experts(catalog: Catalog) -> None:
    points, _ = offload_points(catalog)
    repacked = {p.row_id: p.workload.repacked for p in points}
    assert repacked[19]  # -rtr in the build column (ik_llama.cpp #370)
    assert repacked[31]  # an IQ2_K_R4 quant (ik_llama.cpp #283)
    assert repacked[181]  # -rtr 1 in the flags
    assert not repacked[159]  # mix-IQ3_K without -rtr: copied per u-batch (ik_llama.cpp #490)
    assert not repacked[13]  # mainline llama.cpp
