"""Names resolve the way users, drivers and sources write them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from planner.catalog.store import Catalog
from planner.errors import AmbiguousNameError, UnknownNameError

SPECS = Path(__file__).resolve().parents[1] / "data" / "benchmarks" / "hardware_specs.csv"  # see tests/data/README.md


def spec_names() -> list[str]:
    with SPECS.open(newline="") as handle:
        return [row["hardware"] for row in csv.DictReader(handle)]


@pytest.mark.parametrize("name", spec_names())
def test_every_hardware_specs_device_resolves_to_itself(catalog: Catalog, name: str) -> None:
    device_id = catalog.resolve_device(name)
    row = catalog.device_row(device_id)
    assert row["name"] == name or name in row["aliases"].split(";")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("NVIDIA A100-SXM4-80GB", "a100-sxm4-80gb"),
        ("NVIDIA H100 80GB HBM3", "h100-sxm5-80gb"),
        ("NVIDIA GeForce RTX 4090", "rtx-4090"),
        ("NVIDIA RTX 6000 Ada Generation", "rtx-6000-ada"),
        ("Tesla P40", "tesla-p40"),
        ("RTX 3090", "rtx-3090"),
        ("Apple M3 Max (40-core GPU)", "m3-max-40c"),
        ("M2 Ultra 76-core", "m2-ultra-76c"),
        ("AMD Radeon RX 7900 XTX", "rx-7900-xtx"),
        ("Intel Arc B580", "arc-b580"),
    ],
)
def test_driver_and_user_names(catalog: Catalog, name: str, expected: str) -> None:
    assert catalog.resolve_device(name) == expected


def test_vram_breaks_a_tie_between_variants(catalog: Catalog) -> None:
    assert catalog.resolve_device("NVIDIA GeForce RTX 3060", memory_gb=12.88) == "rtx-3060-12gb"
    assert catalog.resolve_device("NVIDIA GeForce RTX 3060", memory_gb=8.59) == "rtx-3060-8gb"
    with pytest.raises(AmbiguousNameError) as info:
        catalog.resolve_device("NVIDIA GeForce RTX 3060")
    assert "NVIDIA GeForce RTX 3060 12GB" in str(info.value)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Meta-Llama-3-8B", "llama-3-8b"),
        ("Llama-2-7B", "llama-2-7b"),
        ("gpt-oss-20b", "gpt-oss-20b"),
        ("Qwen3-30B-A3B", "qwen3-30b-a3b"),
        ("Qwen2.5-7B", "qwen2.5-7b"),
        ("gemma-3-4b", "gemma-3-4b"),
        ("meta-llama/Meta-Llama-3-8B", "llama-3-8b"),
    ],
)
def test_models_resolve_by_id_and_repository_name(catalog: Catalog, name: str, expected: str) -> None:
    assert catalog.model(name).id == expected


def test_every_measured_model_and_device_resolves(catalog: Catalog) -> None:
    rows = catalog.rows("SELECT DISTINCT model, model_id FROM measurements")
    assert all(r["model_id"] for r in rows), [r["model"] for r in rows if not r["model_id"]]
    devices = catalog.rows("SELECT DISTINCT device, device_id FROM measurements WHERE device != ''")
    assert all(r["device_id"] for r in devices), [r["device"] for r in devices if not r["device_id"]]


def test_unknown_name_lists_closest_matches(catalog: Catalog) -> None:
    with pytest.raises(UnknownNameError) as info:
        catalog.resolve_device("RTX 4090 Tii")
    assert info.value.exit_code == 2
    assert "NVIDIA GeForce RTX 4090" in info.value.suggestions


def test_unknown_model_lists_closest_matches(catalog: Catalog) -> None:
    with pytest.raises(UnknownNameError) as info:
        catalog.model("Llama 3 8X")
    assert any("Llama 3" in s for s in info.value.suggestions)


def test_cpu_brand_strings_resolve(catalog: Catalog) -> None:
    assert catalog.cpu("AMD Ryzen 7 5800X 8-Core Processor").id == "ryzen-7-5800x"
    assert catalog.cpu("5700X").id == "ryzen-7-5700x"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("q4_k_m", "Q4_K_M"), ("Q4_K - Medium", "Q4_K_M"), ("Q3_K - Large", "Q3_K_L"), ("MXFP4 MoE", "MXFP4")],
)
def test_quants_resolve_as_llama_bench_writes_them(catalog: Catalog, name: str, expected: str) -> None:
    assert catalog.quant(name).name == expected
