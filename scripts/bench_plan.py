"""Measure the buying-advice search: one model, every candidate, from a cold planner.

"Cold" opens the catalog afresh (no cached rows) and plans once; "warm" reuses the catalog but
builds a new Planner each time, so every candidate is generated and estimated again. Run:

    .venv/bin/python scripts/bench_plan.py --model qwen2.5-32b --context 16384 --repeat 20
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace

from planner.calibration.shipped import load_calibration
from planner.catalog.store import Catalog
from planner.planning.hardware_floor import hardware_floor
from planner.planning.search import Planner, PlanRequest
from planner.resources import calibration_path, catalog_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="qwen2.5-32b")
    parser.add_argument("--quant", default="Q4_K_M")
    parser.add_argument("--context", type=int, default=16384)
    parser.add_argument("--min-tok-s", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    calibration = load_calibration(calibration_path())
    request = PlanRequest(model=args.model, quant=args.quant, context=args.context, min_tok_s=args.min_tok_s)

    start = time.perf_counter()
    plan = Planner(Catalog(catalog_path()), calibration).plan(request)
    cold_s = time.perf_counter() - start

    catalog = Catalog(catalog_path())
    warm = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        Planner(catalog, calibration).plan(request)
        warm.append(time.perf_counter() - start)

    planner = Planner(catalog, calibration)
    planner.plan(request)
    start = time.perf_counter()
    planner.plan(replace(request, budget_usd=3000.0, rank="perf-per-dollar"))
    refilter_s = time.perf_counter() - start

    start = time.perf_counter()
    hardware_floor(Planner(catalog, calibration))
    floor_s = time.perf_counter() - start

    print(f"{plan.model_name} {plan.quant_name}, context {args.context:,}, >= {args.min_tok_s:g} tok/s")
    print(f"  candidates estimated: {plan.searched} (plus {len(plan.unpriced)} unpriced items skipped)")
    print(f"  qualifying: {plan.qualifying}")
    print(f"  cold search (fresh catalog): {cold_s:.3f} s")
    print(f"  search, new planner: median {statistics.median(warm):.3f} s, max {max(warm):.3f} s over {args.repeat}")
    print(f"  new filters on cached estimates: {refilter_s * 1000:.1f} ms")
    print(f"  hardware-floor table (6 models): {floor_s:.3f} s")


if __name__ == "__main__":
    main()
