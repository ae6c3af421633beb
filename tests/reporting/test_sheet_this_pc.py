"""The build sheet lists what was measured on this PC beside the estimates, cited like any source."""

from __future__ import annotations

import datetime
from pathlib import Path

from planner.calibration.shipped import load_calibration
from planner.catalog.builds import build_from_spec
from planner.catalog.store import Catalog
from planner.estimation.front import Estimator
from planner.hardware.detect import detect
from planner.hardware.match import this_pc
from planner.measure.llama_bench import parse_bench_json, to_measurements
from planner.reporting.gather import gather
from planner.reporting.sheet_data import DetectedPc, SheetRequest
from planner.resources import calibration_path

RECORDED = Path(__file__).resolve().parents[1] / "data" / "measure" / "llama_bench_rtx4080.json"


def test_this_pcs_runs_are_listed_first_and_cited(catalog: Catalog) -> None:
    estimator = Estimator(catalog, load_calibration(calibration_path()))
    build = build_from_spec(catalog, {"name": "This PC", "gpus": [{"gpu": "rtx-4080", "count": 1}], "ram_gb": 64})
    runs = tuple(to_measurements(parse_bench_json(RECORDED.read_text()), catalog))
    detected = DetectedPc(detect(probes=[]), this_pc(detect(probes=[]), catalog), runs)
    request = SheetRequest(build, "detected on this PC", models=("qwen2.5-7b",), quants=("Q4_K_M",),
                           contexts=(4096,), date=datetime.date(2026, 11, 30), detected=detected)  # fmt: skip
    (row,) = gather(request, estimator).fit_rows
    tg = next(m for m in row.measured if m.test.startswith("tg"))
    assert (tg.test, round(tg.tokens_per_s, 1)) == ("tg128", 118.9)
    data = gather(request, estimator)
    assert tg.source is not None and data.sources[tg.source - 1] == "this PC (llama-bench, 2025-04-24)"


def test_without_runs_the_sheet_is_unchanged(catalog: Catalog) -> None:
    estimator = Estimator(catalog, load_calibration(calibration_path()))
    build = build_from_spec(catalog, {"name": "This PC", "gpus": [{"gpu": "rtx-4080", "count": 1}], "ram_gb": 64})
    request = SheetRequest(build, "detected", models=("qwen2.5-7b",), quants=("Q4_K_M",), contexts=(4096,))
    data = gather(request, estimator)
    assert all("this PC" not in s for s in data.sources)
    assert all("this PC" not in str(m) for r in data.fit_rows for m in r.measured)
