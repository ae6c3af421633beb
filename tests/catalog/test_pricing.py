"""One price for one build, whichever path assembled it."""

from __future__ import annotations

import json

import pytest

from planner.catalog.builds import build_from_spec, preset_spec
from planner.catalog.pricing import included_text
from planner.catalog.store import Catalog
from planner.core.calibration import PRIORS
from planner.core.cost import hardware_totals
from planner.core.hardware import Build
from planner.estimation.front import Estimator
from planner.planning.candidates import gpu_spec


@pytest.fixture
def estimator(catalog: Catalog) -> Estimator:
    return Estimator(catalog, PRIORS)


def total(build: Build) -> float:
    chosen, _new, _used, complete = hardware_totals(build)
    assert complete, [p for p in build.parts if p.price_usd is None]
    assert chosen is not None
    return chosen


def kinds(build: Build) -> set[str]:
    return {p.kind for p in build.parts}


def test_composer_cli_and_plan_price_the_same_3060_box_the_same(catalog: Catalog, estimator: Estimator) -> None:
    composed = build_from_spec(catalog, {"name": "x", "gpus": [{"gpu": "rtx-3060-12gb", "count": 1}], "ram_gb": 32})
    cli = estimator.build_for({"gpu": "RTX 3060"})
    plan_spec = gpu_spec(catalog, catalog.gpu_rows["rtx-3060-12gb"], 1, used=True, footprint_gb=5.0)
    planned = build_from_spec(catalog, {**plan_spec, "cpu": None, "psu_w": None})
    assert total(composed) == total(cli) == total(planned)
    assert kinds(composed) == {"gpu", "cpu", "ram", "board", "psu"}


def test_the_price_covers_gpus_cpu_ram_board_and_psu(catalog: Catalog) -> None:
    build = build_from_spec(catalog, {"gpus": [{"gpu": "rtx-3090", "count": 1}], "cpu": "ryzen-7-5800x"})
    assert kinds(build) == {"gpu", "cpu", "ram", "board", "psu"}
    text = included_text(build)
    assert "GPUs (used)" in text and "CPU" in text and "RAM, board/case, PSU estimated" in text


def test_two_3090s_cost_more_than_the_complete_one_3090_build(catalog: Catalog) -> None:
    one = build_from_spec(catalog, preset_spec(catalog, "rtx3090-build"))
    two = build_from_spec(catalog, preset_spec(catalog, "2x-rtx3090"))
    assert total(one) == pytest.approx(1600.0)
    assert total(two) > total(one) + 500  # a second used 3090 alone costs more than that
    assert kinds(two) == {"gpu", "cpu", "ram", "board", "psu"}


def test_used_is_the_default_and_new_is_a_choice(catalog: Catalog) -> None:
    used = build_from_spec(catalog, {"gpus": [{"gpu": "rtx-3090"}]})
    new = build_from_spec(catalog, {"gpus": [{"gpu": "rtx-3090", "price_kind": "new"}]})
    gpu_used = next(p for p in used.parts if p.kind == "gpu")
    gpu_new = next(p for p in new.parts if p.kind == "gpu")
    assert gpu_used.price_kind == "used" and gpu_new.price_kind in ("new_street", "launch")
    assert gpu_used.price_usd == catalog.gpu_rows["rtx-3090"]["price_used_usd"]


def test_a_whole_system_part_covers_everything(catalog: Catalog) -> None:
    build = build_from_spec(catalog, preset_spec(catalog, "8x-h200"))
    assert kinds(build) == {"system"}


def test_cli_prices_flag_and_json_include_what_is_priced(estimator: Estimator) -> None:
    result = estimator.estimate({"gpu": "RTX 3090", "model": "llama-3.1-8b", "quant": "Q4_K_M", "prices": "new"})
    data = json.loads(json.dumps(result.to_dict()))
    assert data["hardware_usd"] == pytest.approx(data["hardware_new_usd"])
