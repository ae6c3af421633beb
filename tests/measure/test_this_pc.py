"""This PC's estimates: measured RAM bandwidth and PCIe, its own runs listed, and the correction."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from planner.calibration.shipped import load_calibration
from planner.catalog.builds import build_from_spec
from planner.catalog.store import Catalog
from planner.core.workload import Workload
from planner.estimation.front import Estimator
from planner.measure.llama_bench import parse_bench_json, to_measurements
from planner.measure.ram import RamBandwidth
from planner.measure.this_pc import PcFacts, estimate_this_pc, is_this_pc, tuned_calibration

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "tests" / "data" / "measure" / "llama_bench_rtx4080.json"
SPEC = {"name": "This PC", "gpus": [{"gpu": "rtx-4080", "count": 1}], "cpu": "ryzen-7-7800x3d", "ram_gb": 64}


@pytest.fixture
def estimator(catalog: Catalog) -> Estimator:
    return Estimator(catalog, load_calibration(ROOT / "resources" / "calibration.json"))


def facts(catalog: Catalog, factor: float = 1.0) -> PcFacts:
    rows = to_measurements(parse_bench_json(RECORDED.read_text()), catalog)
    return PcFacts(measurements=tuple(replace(r, tokens_per_s=r.tokens_per_s * factor) for r in rows))


def test_no_measurements_leave_the_estimate_alone(estimator: Estimator, catalog: Catalog) -> None:
    build = build_from_spec(catalog, SPEC)
    assert is_this_pc(build)
    mine = estimate_this_pc(estimator, build, "qwen2.5-7b", "Q4_K_M", Workload(), PcFacts())
    plain = estimator.estimate_build(build, "qwen2.5-7b", "Q4_K_M", Workload())
    assert not mine.adjusted and mine.estimate.decode_tok_s == plain.decode_tok_s
    assert mine.to_dict()["this_pc"]["label"] == "no measurements on this PC yet"


def test_measurements_are_listed_and_pull_the_estimate_toward_them(estimator: Estimator, catalog: Catalog) -> None:
    build = build_from_spec(catalog, SPEC)
    mine = estimate_this_pc(estimator, build, "qwen2.5-7b", "Q4_K_M", Workload(), facts(catalog, factor=0.5))
    listed = [m for m in mine.estimate.measured if m["source"] == "this PC"]
    assert {m["test"] for m in listed} == {"pp512", "tg128"}
    assert all("-ngl 99" in m["settings"] and m["llama_build"] == "8cf427ff (5163)" for m in listed)
    measured_tg = next(m["tokens_per_s"] for m in listed if m["test"] == "tg128")
    before, after = mine.unadjusted.decode_tok_s, mine.estimate.decode_tok_s
    assert before is not None and after is not None
    assert measured_tg < after < before  # toward the measurement, but not all the way
    assert after == pytest.approx(before * mine.correction.generation.value)
    assert any("adjusted to your measurements" in a for a in mine.estimate.assumptions)
    data = mine.to_dict()["this_pc"]
    assert data["adjusted"] and data["unadjusted_decode_tok_s"] == round(before, 2)
    unadjusted = estimate_this_pc(estimator, build, "qwen2.5-7b", "Q4_K_M", Workload(), facts(catalog, 0.5), False)
    assert unadjusted.estimate.decode_tok_s == before and not unadjusted.adjusted


def test_measured_ram_bandwidth_sets_the_speed_of_cpu_held_layers(estimator: Estimator, catalog: Catalog) -> None:
    build = build_from_spec(catalog, {**SPEC, "gpus": []})
    cpu = Workload(backend="cpu")
    slow = PcFacts(ram=RamBandwidth(20.0, build.ram_bandwidth_gbs, 8, 512, 3.0, "2026-11-30T07:00:00Z"))
    fast = PcFacts(ram=RamBandwidth(60.0, build.ram_bandwidth_gbs, 8, 512, 3.0, "2026-11-30T07:00:00Z"))
    tuned = tuned_calibration(estimator.calibration, build, slow)
    assert tuned.cpu_bw_efficiency == pytest.approx(20.0 / build.ram_bandwidth_gbs)
    decode_slow = estimate_this_pc(estimator, build, "qwen2.5-7b", "Q4_K_M", cpu, slow).estimate.decode_tok_s
    decode_fast = estimate_this_pc(estimator, build, "qwen2.5-7b", "Q4_K_M", cpu, fast).estimate.decode_tok_s
    assert decode_slow is not None and decode_fast is not None and decode_slow < decode_fast
    plain = estimate_this_pc(estimator, build, "qwen2.5-7b", "Q4_K_M", cpu, slow).estimate
    assert any("RAM measured at 20.0 GB/s" in a for a in plain.assumptions)


def test_a_narrow_pcie_link_lowers_the_copy_rate(estimator: Estimator, catalog: Catalog) -> None:
    build = build_from_spec(catalog, SPEC)
    x4 = tuned_calibration(estimator.calibration, build, PcFacts(pcie_gbs=(7.9,)))
    assert x4.pcie_gbs == pytest.approx(estimator.calibration.pcie_gbs * 7.9 / 31.5)
