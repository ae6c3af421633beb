"""Buying advice: candidates, filters, ranking, the Pareto frontier and the hardware floor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.calibration.shipped import load_calibration
from planner.catalog.builds import build_from_spec
from planner.catalog.store import Catalog
from planner.catalog.userdb import UserDatabase
from planner.core.estimate import estimate
from planner.core.placement import Fit
from planner.core.workload import Workload
from planner.errors import InputError
from planner.estimation.front import Estimator
from planner.planning.candidates import PLATFORMS, gpu_spec
from planner.planning.hardware_floor import ARTICLE_CLAIMS, FLOOR_MIN_TOK_S, hardware_floor
from planner.planning.search import Planner, PlanRequest, PlanResult, pareto_frontier
from planner.resources import catalog_source_dir

ROOT = Path(__file__).resolve().parents[2]
BOX = "rtx3060-5800x-box"


@pytest.fixture(scope="module")
def planner(catalog: Catalog) -> Planner:
    return Planner(catalog, load_calibration(ROOT / "resources" / "calibration.json"))


def meets(result: PlanResult, r: PlanRequest) -> bool:
    """Every filter, checked from the result alone."""
    vendors = {v.lower() for v in result.vendors}
    return (
        result.fit != Fit.NONE
        and (result.decode_tok_s or 0.0) >= r.min_tok_s
        and (result.prefill_tok_s or 0.0) >= r.min_prompt_tok_s
        and (r.budget_usd is None or result.price_usd <= r.budget_usd)
        and (r.max_power_w is None or result.power_w <= r.max_power_w)
        and (not r.gpu_only or result.fit == Fit.GPU)
        and (not r.vendors or bool(vendors & {v.lower() for v in r.vendors}))
        and (r.used or "used" not in result.price_kinds)
    )


filters = st.fixed_dictionaries(
    {
        "model": st.sampled_from(["llama-3-8b", "qwen2.5-32b", "llama-3-70b"]),
        "min_tok_s": st.sampled_from([0.0, 5.0, 20.0, 60.0]),
        "min_prompt_tok_s": st.sampled_from([0.0, 500.0, 2000.0]),
        "budget_usd": st.none() | st.integers(300, 20000).map(float),
        "used": st.booleans(),
        "vendors": st.sampled_from([(), ("NVIDIA",), ("AMD", "Intel"), ("apple",)]),
        "gpu_only": st.booleans(),
        "max_power_w": st.none() | st.integers(100, 3000).map(float),
        "rank": st.sampled_from(["price", "perf-per-dollar", "cost-per-mtok"]),
    }
)


@settings(max_examples=60, deadline=None)
@given(filters)
def test_every_result_meets_every_filter(planner: Planner, kwargs: dict) -> None:
    request = PlanRequest(**kwargs, limit=None)
    plan = planner.plan(request)
    assert plan.qualifying == len(plan.results)
    assert all(meets(result, request) for result in plan.results)


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(["llama-3-8b", "qwen2.5-32b", "llama-3-70b", "deepseek-v3"]),
    st.sampled_from([0.0, 10.0, 30.0]),
    st.integers(300, 50000),
    st.integers(0, 50000),
)
def test_a_rising_budget_never_makes_the_best_result_slower(
    planner: Planner, model: str, min_tok_s: float, budget: int, raise_by: int
) -> None:
    low = planner.plan(PlanRequest(model=model, min_tok_s=min_tok_s, budget_usd=budget, limit=None))
    high = planner.plan(PlanRequest(model=model, min_tok_s=min_tok_s, budget_usd=budget + raise_by, limit=None))
    assert len(high.results) >= len(low.results)
    if low.results:
        assert high.results[0].name == low.results[0].name  # the cheapest stays the cheapest
        fastest = max(r.decode_tok_s or 0.0 for r in low.results)
        assert max(r.decode_tok_s or 0.0 for r in high.results) >= fastest


def test_cheapest_llama_3_8b_costs_no_more_than_the_articles_3060_box(planner: Planner, catalog: Catalog) -> None:
    box_price = catalog.preset(BOX)["price_usd_high"]
    for used in (False, True):
        plan = planner.plan(PlanRequest(model="llama-3-8b", quant="Q4_K_M", used=used))
        assert plan.results[0].price_usd <= box_price
    box = next(r for r in planner.plan(PlanRequest(model="llama-3-8b", used=True, limit=None)).results if r.name == (
        catalog.preset(BOX)["name"]
    ))  # fmt: skip
    assert box.fit == Fit.GPU and 700 <= box.price_usd <= 900


def test_an_impossible_target_says_so_and_suggests_the_nearest_option(planner: Planner) -> None:
    plan = planner.plan(PlanRequest(model="deepseek-v3", quant="Q4_K_M", budget_usd=500))
    assert plan.impossible and not plan.results
    assert plan.message.startswith("No build in the catalog runs DeepSeek V3")
    assert "over budget" in plan.rejected and "do not fit" in plan.rejected
    cheapest = next(s.result for s in plan.suggestions if "cheapest build that runs it at all" in s.label)
    assert cheapest.fit != Fit.NONE and cheapest.price_usd > 500
    assert any("misses the $500 budget" in why for why in cheapest.why)


def test_fastest_under_budget_is_suggested_when_the_speed_is_out_of_reach(planner: Planner) -> None:
    plan = planner.plan(PlanRequest(model="llama-3-70b", min_tok_s=500, budget_usd=3000))
    fastest = next(s.result for s in plan.suggestions if "fastest build within the budget" in s.label)
    assert fastest.price_usd <= 3000 and (fastest.decode_tok_s or 0) < 500


@pytest.mark.parametrize(
    ("rank", "key", "descending"),
    [
        ("price", lambda r: r.price_usd, False),
        ("perf-per-dollar", lambda r: r.estimate.cost.tok_s_per_1000_usd, True),
        ("cost-per-mtok", lambda r: r.estimate.cost.usd_per_mtok, False),
    ],
)
def test_results_are_ranked(planner: Planner, rank: str, key: object, descending: bool) -> None:
    results = planner.plan(PlanRequest(model="qwen2.5-14b", rank=rank, limit=None)).results
    values = [key(r) for r in results]  # type: ignore[operator]
    assert values == sorted(values, reverse=descending)


def test_limit_keeps_the_best(planner: Planner) -> None:
    everything = planner.plan(PlanRequest(model="qwen2.5-14b", limit=None))
    top = planner.plan(PlanRequest(model="qwen2.5-14b", limit=3))
    assert [r.name for r in top.results] == [r.name for r in everything.results[:3]]
    assert top.qualifying == everything.qualifying


def test_a_result_spec_rebuilds_the_same_estimate_and_saves(planner: Planner, catalog: Catalog, tmp_path: Path) -> None:
    result = planner.plan(PlanRequest(model="qwen2.5-32b", min_tok_s=20, used=True)).results[0]
    model, quant = catalog.model("qwen2.5-32b"), catalog.quant("Q4_K_M")
    again = estimate(build_from_spec(catalog, result.spec), model, quant, Workload(context=8192), planner.calibration)
    assert again.decode_tok_s == result.decode_tok_s and again.cost.hardware_usd == result.price_usd
    database = UserDatabase(tmp_path / "user.sqlite", catalog_source_dir() / "migrations")
    database.save_build(result.name, result.spec)
    saved = database.builds()
    database.close()
    reloaded = Planner(catalog, planner.calibration, saved_builds=saved)
    plan = reloaded.plan(PlanRequest(model="qwen2.5-32b", min_tok_s=20, used=True, limit=None))
    assert any(r.kind == "saved" and r.price_usd == result.price_usd for r in plan.results)


def test_numbers_are_the_estimators(planner: Planner, catalog: Catalog) -> None:
    plan = planner.plan(PlanRequest(model="llama-3-8b", used=True, limit=None))
    box = next(r for r in plan.results if r.kind == "preset" and r.spec["name"] == catalog.preset(BOX)["name"])
    direct = Estimator(catalog, planner.calibration).estimate(
        {"preset": BOX, "model": "llama-3-8b", "quant": "Q4_K_M", "context": 8192}
    )
    assert (box.decode_tok_s, box.prefill_tok_s, box.price_usd) == (
        direct.decode_tok_s, direct.prefill_tok_s, direct.cost.hardware_usd,
    )  # fmt: skip
    assert box.estimate.max_context_on_gpu == direct.max_context_on_gpu


def test_invalid_saved_builds_are_counted_not_fatal(catalog: Catalog, planner: Planner) -> None:
    broken = Planner(catalog, planner.calibration, saved_builds=[{"name": "Mine", "gpus": [{"gpu": "No Such GPU"}]}])
    plan = broken.plan(PlanRequest(model="llama-3-8b"))
    assert plan.invalid == ("Mine",) and plan.results


def test_unpriced_items_are_excluded_and_counted(planner: Planner) -> None:
    plan = planner.plan(PlanRequest(model="llama-3-8b", limit=None))
    assert plan.unpriced and all(r.price_usd > 0 for r in plan.results)
    assert plan.searched > 300


def test_pareto_frontier(planner: Planner) -> None:
    results = planner.plan(PlanRequest(model="qwen2.5-32b", limit=None)).results
    frontier = pareto_frontier(results)
    assert frontier and frontier[0].price_usd == min(r.price_usd for r in results)
    speeds = [r.decode_tok_s or 0.0 for r in frontier]
    assert speeds == sorted(speeds) and len(set(speeds)) == len(speeds)
    for point in frontier:
        assert not any(
            r.price_usd <= point.price_usd and (r.decode_tok_s or 0) > (point.decode_tok_s or 0) for r in results
        )


@pytest.mark.parametrize(("count", "platform"), [(1, 0), (2, 0), (4, 1), (8, 2)])
def test_generated_builds_are_sensible(catalog: Catalog, count: int, platform: int) -> None:
    row = catalog.gpu_rows["rtx-3090"]
    spec = gpu_spec(catalog, row, count, used=True, footprint_gb=10.0)
    assert spec["cpu"] == PLATFORMS[platform].cpu_id
    assert spec["ram_gb"] >= max(32, 24 * count)
    assert spec["psu_w"] >= 350 * count + catalog.cpu_rows[spec["cpu"]]["tdp_w"]
    assert all(p["price_kind"] == "estimate" for p in spec["parts"])
    assert build_from_spec(catalog, spec).gpu_count == count


@pytest.mark.parametrize(
    "kwargs",
    [{"budget_usd": -1.0}, {"min_tok_s": -5.0}, {"rank": "speed"}, {"limit": 0}, {"max_power_w": 0.0}],
)
def test_impossible_numbers_are_input_errors(kwargs: dict) -> None:
    with pytest.raises(InputError):
        PlanRequest(model="llama-3-8b", **kwargs)


@pytest.mark.parametrize("kwargs", [{"model": "no-such-model"}, {"model": "llama-3-8b", "vendors": ("Acme",)}])
def test_unknown_names_are_input_errors(planner: Planner, kwargs: dict) -> None:
    with pytest.raises(InputError):
        planner.plan(PlanRequest(**kwargs))


def test_hardware_floor_table(planner: Planner, catalog: Catalog) -> None:
    rows = hardware_floor(planner)
    assert {r.claim.model_class for r in rows} == {c.model_class for c in ARTICLE_CLAIMS}
    frontier = next(r for r in rows if r.claim.model_class.startswith("Frontier"))
    assert frontier.model_name is None and "no open" in frontier.verdict
    small = next(r for r in rows if r.model_name == "Llama 3 8B")
    assert small.cheapest_readable is not None
    assert (small.cheapest_readable.decode_tok_s or 0) >= FLOOR_MIN_TOK_S
    assert small.cheapest_readable.price_usd <= catalog.preset(BOX)["price_usd_high"]
    assert all(c.fit != Fit.NONE for c in small.checks)
    json.dumps([r.to_dict() for r in rows])
