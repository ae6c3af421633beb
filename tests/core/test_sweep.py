"""The vectorized sweep gives, cell by cell, what estimate() gives."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.calibration.shipped import load_calibration
from planner.catalog.builds import build_from_spec, preset_spec
from planner.catalog.store import Catalog
from planner.core.calibration import Calibration
from planner.core.estimate import estimate
from planner.core.hardware import Build
from planner.core.placement import Fit
from planner.core.sweep import Sweep, cell_workload, decode_depth, sweep
from planner.core.workload import Workload
from planner.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
REL = 1e-6
BUILD_SPECS: dict[str, dict[str, Any] | str] = {
    "rtx3060": "rtx3060-5800x-box",
    "2x-rtx3090-layer": "2x-rtx3090",
    "8x-h200-tensor": "8x-h200",
    "m3-max-36gb": "m3-max-36gb",
    "cpu-only": {"name": "CPU only", "cpu": "ryzen-7-5800x", "ram_gb": 64},
    "tiny-4gb": {"name": "Arc A310", "gpus": [{"gpu": "arc-a310"}], "ram_gb": 16},
    "mixed-3-gpus": {"name": "mixed", "gpus": [{"gpu": "rtx-3090"}, {"gpu": "rtx-3060-12gb", "count": 2}]},
    "strix-halo": {"name": "Strix Halo", "gpus": [{"gpu": "strix-halo-395"}], "ram_gb": 128},
}
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def calibration() -> Calibration:
    return load_calibration(ROOT / "resources" / "calibration.json")


@pytest.fixture(scope="module")
def builds(catalog: Catalog) -> dict[str, Build]:
    return {
        name: build_from_spec(catalog, preset_spec(catalog, spec) if isinstance(spec, str) else spec)
        for name, spec in BUILD_SPECS.items()
    }


def close(actual: float, expected: float) -> bool:
    return math.isclose(actual, expected, rel_tol=REL, abs_tol=0.0)


def assert_matches_estimate(result: Sweep, build: Build, workload: Workload, calibration: Calibration) -> None:
    for m, model in enumerate(result.models):
        for q, quant in enumerate(result.quants):
            for c, context in enumerate(result.contexts):
                expected = estimate(build, model, quant, cell_workload(workload, context), calibration)
                cell = result.cell(m, q, c)
                where = f"{model.id} {quant.name} ctx={context}"
                assert expected.backend == result.backend
                assert (cell.fit, cell.gpu_layers) == (expected.fit, expected.placement.gpu_layers), where
                assert cell.total_layers == expected.placement.total_layers
                p = expected.placement
                assert close(cell.weights_bytes, p.weights_bytes), where
                assert close(cell.kv_bytes, p.kv_bytes), where
                assert close(cell.overhead_bytes, p.overhead_bytes), where
                assert close(cell.ram_needed_bytes, p.cpu_bytes), where
                if expected.decode_tok_s is None:
                    assert cell.decode_tok_s is None and cell.prefill_tok_s is None, where
                    assert cell.decode_range is None and cell.prefill_range is None, where
                    continue
                assert cell.decode_tok_s is not None and close(cell.decode_tok_s, expected.decode_tok_s), where
                assert cell.prefill_tok_s is not None and expected.prefill_tok_s is not None
                assert close(cell.prefill_tok_s, expected.prefill_tok_s), where
                for got, want in (
                    (cell.decode_range, expected.decode_range),
                    (cell.prefill_range, expected.prefill_range),
                ):
                    assert got is not None and want is not None
                    assert close(got[0], want[0]) and close(got[1], want[1]), where


@pytest.mark.parametrize("build_name", list(BUILD_SPECS))
def test_every_catalog_model_and_quant_matches_estimate(
    catalog: Catalog, builds: dict[str, Build], calibration: Calibration, build_name: str
) -> None:
    models = [catalog.model(model_id) for model_id in catalog.model_rows]
    quants = [catalog.quant(name) for name in catalog.quant_rows]
    workload = Workload(depth=4096)
    result = sweep(builds[build_name], models, quants, [2048, 131072], workload, calibration)
    assert result.fit.shape == (len(models), len(quants), 2)
    assert_matches_estimate(result, builds[build_name], workload, calibration)


@SETTINGS
@given(data=st.data())
def test_random_cells_match_estimate(
    catalog: Catalog, builds: dict[str, Build], calibration: Calibration, data: st.DataObject
) -> None:
    build = builds[data.draw(st.sampled_from(sorted(builds)), label="build")]
    model_ids = data.draw(st.lists(st.sampled_from(sorted(catalog.model_rows)), min_size=1, max_size=3, unique=True))
    quant_names = data.draw(st.lists(st.sampled_from(sorted(catalog.quant_rows)), min_size=1, max_size=4, unique=True))
    contexts = data.draw(st.lists(st.integers(1, 400_000), min_size=1, max_size=4))
    backend = data.draw(st.sampled_from([None, None, None, "cpu", "vulkan"]), label="backend")
    flash_attn = data.draw(st.sampled_from(["auto", "on", "off"]), label="flash_attn")
    kv_types = ["f16"] if flash_attn == "off" else ["f16", "q8_0", "q4_0"]
    workload = Workload(
        depth=data.draw(st.integers(0, 400_000), label="depth"),
        prompt=data.draw(st.integers(1, 16384), label="prompt"),
        kv_cache=data.draw(st.sampled_from(kv_types), label="kv_cache"),
        flash_attn=flash_attn,
        n_ubatch=data.draw(st.sampled_from([128, 512, 2048]), label="n_ubatch"),
        backend=backend if build.gpus or backend != "vulkan" else None,
        gpu_memory_fraction=data.draw(st.none() | st.floats(0.1, 1.0), label="gpu_memory_fraction"),
    )
    models = [catalog.model(model_id) for model_id in model_ids]
    quants = [catalog.quant(name) for name in quant_names]
    result = sweep(build, models, quants, contexts, workload, calibration)
    assert_matches_estimate(result, build, workload, calibration)


def test_decode_depth_is_the_workload_depth_capped_at_the_context() -> None:
    workload = Workload(context=4096, depth=8192)
    assert decode_depth(workload, 2048) == 2048
    assert decode_depth(workload, 16384) == 8192
    assert cell_workload(workload, 2048) == Workload(context=2048, depth=2048)


def test_cells_that_do_not_fit_have_no_speed(catalog: Catalog, builds: dict[str, Build]) -> None:
    models = [catalog.model("llama-3-70b"), catalog.model("gemma-3-4b")]
    result = sweep(builds["tiny-4gb"], models, [catalog.quant("F32")], [262144], Workload())
    assert result.fit_name(0, 0, 0) == Fit.NONE
    none = result.fit == result.fit[0, 0, 0]
    assert np.isnan(result.decode_tok_s[none]).all() and np.isnan(result.prefill_high[none]).all()
    assert result.cell(0, 0, 0).decode_tok_s is None
    assert np.isfinite(result.total_bytes).all()


def test_an_empty_sweep_has_empty_arrays(builds: dict[str, Build]) -> None:
    result = sweep(builds["rtx3060"], [], [], [4096], Workload())
    assert result.shape == (0, 0, 1) and result.decode_tok_s.shape == (0, 0, 1)


def test_bad_inputs_raise_input_errors(catalog: Catalog, builds: dict[str, Build]) -> None:
    models, quants = [catalog.model("gemma-3-4b")], [catalog.quant("Q4_K_M")]
    with pytest.raises(InputError, match="context"):
        sweep(builds["rtx3060"], models, quants, [0], Workload())
    broken = Build(name="no RAM", ram_gb=0)
    with pytest.raises(InputError, match="system RAM"):
        sweep(broken, models, quants, [4096], Workload())


def test_a_gpu_without_known_compute_has_no_prompt_speed(catalog: Catalog) -> None:
    from planner.core.hardware import Accelerator, GpuGroup

    unknown = Accelerator(
        id="x", name="X", vendor="NVIDIA", memory_gb=24, bandwidth_gbs=900, fp16_tflops=None, power_w=1
    )
    result = sweep(Build(name="x", gpus=(GpuGroup(unknown),)), [catalog.model("llama-3-8b")], [catalog.quant("Q4_K_M")],
                   [4096], Workload())  # fmt: skip
    cell = result.cell(0, 0, 0)
    assert cell.decode_tok_s is not None and cell.prefill_tok_s is None and cell.prefill_range is None
