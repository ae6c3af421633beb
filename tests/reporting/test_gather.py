"""The sheet's rows, checked without rendering (Qt-free)."""

from __future__ import annotations

import datetime
from dataclasses import replace

import pytest

from planner.calibration.shipped import load_calibration
from planner.catalog.store import Catalog
from planner.core.cost import power_draw
from planner.core.hardware import Build, Part
from planner.errors import InputError, UnknownNameError
from planner.estimation.front import Estimator
from planner.reporting import bill
from planner.reporting.gather import gather
from planner.reporting.progress import ExportCancelled, Steps
from planner.reporting.sheet_data import SheetRequest
from planner.reporting.sources import SourceIndex
from planner.resources import calibration_path


@pytest.fixture
def estimator(catalog: Catalog) -> Estimator:
    return Estimator(catalog, load_calibration(calibration_path()))


def preset_request(estimator: Estimator, name: str, **options: object) -> SheetRequest:
    preset_id = estimator.catalog.preset_index.resolve(name)
    build = estimator.build_for({"preset": preset_id})
    return SheetRequest(build, "catalog preset", preset_id=preset_id, date=datetime.date(2026, 1, 2), **options)


def test_rows_cover_every_model_quant_and_context(estimator: Estimator) -> None:
    request = preset_request(
        estimator, "3090 build", models=("Meta-Llama-3-8B", "qwen2.5-14b"), quants=("Q4_K_M", "Q8_0"),
        contexts=(16384, 4096),
    )  # fmt: skip
    data = gather(request, estimator)
    keys = [(r.model, r.quant, r.context) for r in data.fit_rows]
    assert keys == [(m, q, c) for m in ("Llama 3 8B", "Qwen2.5 14B") for q in ("Q4_K_M", "Q8_0") for c in (4096, 16384)]
    assert len(data.cost_rows) == 4  # one per model and quant, at the smallest context
    assert data.date == "2026-01-02"
    assert data.catalog_version == estimator.catalog.version


def test_measured_figures_cite_their_source(estimator: Estimator) -> None:
    data = gather(preset_request(estimator, "3090 build", models=("Meta-Llama-3-8B",), quants=("Q4_K_M",)), estimator)
    measured = data.fit_rows[0].measured
    assert [m.test[:2] for m in measured] == ["tg", "pp"]
    for m in measured:
        assert m.source is not None
        assert data.sources[m.source - 1].startswith("https://")


def test_default_models_are_the_most_popular_the_build_runs(estimator: Estimator, catalog: Catalog) -> None:
    data = gather(preset_request(estimator, "3060 box", quants=("Q4_K_M",), contexts=(4096,)), estimator)
    names = [r.model for r in data.fit_rows]
    assert len(names) == 5
    assert all(r.fit != "none" for r in data.fit_rows)
    popular = [row["name"] for row in catalog.model_rows.values()]
    assert popular[0] in names
    sizes = [catalog.model(n).params_total_b for n in names]
    assert sizes == sorted(sizes)  # smallest first


def test_default_models_span_the_sizes_a_big_build_runs(estimator: Estimator, catalog: Catalog) -> None:
    """A 48 GB build's sheet shows a 70B-class model, not five 8Bs."""
    data = gather(preset_request(estimator, "2x RTX 3090", quants=("Q4_K_M",), contexts=(4096,)), estimator)
    sizes = {catalog.model(r.model).params_total_b for r in data.fit_rows}
    assert max(sizes) >= 45 and min(sizes) < 10


def test_parts_totals_and_sources(estimator: Estimator) -> None:
    data = gather(preset_request(estimator, "2x RTX 3090", models=("Meta-Llama-3-8B",)), estimator)
    gpu = next(p for p in data.parts if p.kind == "gpu")
    assert (gpu.quantity, gpu.price_kind) == (2, "used")
    assert gpu.total_usd == 2 * gpu.unit_price_usd
    assert gpu.as_of
    assert data.totals.chosen_usd == sum(p.total_usd or 0 for p in data.parts)
    assert data.totals.new_usd is not None and data.totals.new_usd > data.totals.chosen_usd
    cited = {p.source for p in data.parts} | {m.source for r in data.fit_rows for m in r.measured}
    assert cited - {None} <= set(range(1, len(data.sources) + 1))


def test_power_rows_add_up_to_the_peak_and_the_psu_is_checked(estimator: Estimator) -> None:
    build = estimator.build_for({"preset": "2x RTX 3090"})
    rows = bill.power_rows(build)
    assert sum(r.watts for r in rows) == pytest.approx(power_draw(build, cpu_busy=True)[0])
    check = bill.psu_check(build)
    assert check.psu_w == 1200
    assert check.verdict == "ok"  # 2 x 350 W + 105 W + 50 W = 855 W, 71% of 1200 W
    assert bill.psu_check(replace(build, psu_w=1000)).verdict == "tight"
    small = bill.psu_check(replace(build, psu_w=650))
    assert small.verdict == "too small"
    assert "1,100 W" in small.text  # 855 W / 0.8, rounded up to 50 W
    assert bill.psu_check(replace(build, psu_w=None)).verdict == "not listed"


def test_unpriced_parts_and_a_whole_build_price() -> None:
    sources = SourceIndex()
    build = Build("Mine", parts=(Part("Case", 80.0, source_url="user"), Part("Mystery board", None)))
    rows = bill.part_rows(build, sources)
    assert [(r.price_kind, r.source) for r in rows] == [("new", None), ("unknown", None)]
    assert bill.totals(build).complete is False
    whole = bill.part_rows(Build("Server", price_usd=9000.0), sources)
    assert whole[0].unit_price_usd == 9000.0


def test_a_quant_that_does_not_apply_is_left_out_with_a_note(estimator: Estimator) -> None:
    request = preset_request(estimator, "3090 build", models=("Meta-Llama-3-8B", "gpt-oss-20b"), quants=("MXFP4",))
    data = gather(request, estimator)
    assert [r.model for r in data.fit_rows] == ["gpt-oss 20B", "gpt-oss 20B"]
    assert any("Llama 3 8B has no MXFP4" in n for n in data.notes)


def test_bad_requests_say_what_is_wrong(estimator: Estimator) -> None:
    with pytest.raises(UnknownNameError):
        gather(preset_request(estimator, "3090 build", models=("no-such-model",)), estimator)
    with pytest.raises(InputError, match="page size"):
        gather(preset_request(estimator, "3090 build", page_size="A3"), estimator)


def test_charts_have_data(estimator: Estimator) -> None:
    data = gather(preset_request(estimator, "3090 build", models=("Meta-Llama-3-8B", "llama-3-70b")), estimator)
    charts = data.charts
    assert {s.label for s in charts.context_series} == {"Llama 3 8B", "Llama 3 70B"}
    for series in charts.context_series:
        speeds = [y for _, y in series.points]
        assert speeds == sorted(speeds, reverse=True)  # a fuller context never speeds generation up
    assert len(charts.memory_bars) == 4
    highlighted = [p for p in charts.scatter if p.highlight]
    assert [p.label for p in highlighted] == ["Used RTX 3090 24GB build"]
    assert len(charts.scatter) > 5


def test_progress_rises_and_cancel_stops(estimator: Estimator) -> None:
    seen: list[int] = []
    gather(preset_request(estimator, "3090 build"), estimator, Steps(lambda p, _t: seen.append(p)))
    assert seen == sorted(seen) and seen[-1] <= 100
    with pytest.raises(ExportCancelled):
        gather(preset_request(estimator, "3090 build"), estimator, Steps(cancelled=lambda: True))


def test_sources_are_numbered_once_each() -> None:
    sources = SourceIndex()
    assert [sources.cite(s) for s in ("a", "b", "a", "", "user", None, " b ")] == [1, 2, 1, None, None, None, 2]
    assert sources.entries == ("a", "b")
