"""Time the "what can this build run" sweep: every catalog model x quant x 8 context sizes.

Project issue 3 asks for a full sweep under 50 ms on one core. The process is pinned to
one CPU where the OS allows it (Linux). Run:

    .venv/bin/python scripts/bench_sweep.py --runs 50
    .venv/bin/python scripts/bench_sweep.py --runs 50 --cold   # rebuild the model-side grid every run

The model-side arrays (weights, KV cache, FLOPs per model x quant x context) do not depend
on the build and are cached: the app re-sweeps the same table for every build it shows.
`--cold` times the first sweep of a table instead.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from planner.calibration.shipped import load_calibration
from planner.catalog.builds import build_from_spec, preset_spec
from planner.commands.common import open_catalog
from planner.core.grid import clear_cache
from planner.core.sweep import FITS, sweep
from planner.core.workload import Workload
from planner.resources import calibration_path

PRESETS = ("rtx3060-5800x-box", "2x-rtx3090")
CONTEXTS = (2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144)


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        return f"pinned to CPU {min(os.sched_getaffinity(0))}"
    return "not pinned (no sched_setaffinity on this OS)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50, help="timed sweeps per build (after one warm-up)")
    parser.add_argument("--cold", action="store_true", help="clear the grid cache before every sweep")
    args = parser.parse_args()
    print(pin_to_one_core())
    catalog = open_catalog()
    calibration = load_calibration(calibration_path())
    models = [catalog.model(model_id) for model_id in catalog.model_rows]
    quants = [catalog.quant(name) for name in catalog.quant_rows]
    workload = Workload()
    for preset in PRESETS:
        build = build_from_spec(catalog, preset_spec(catalog, preset))
        result = sweep(build, models, quants, CONTEXTS, workload, calibration)  # warm-up
        times_ms = []
        for _ in range(args.runs):
            if args.cold:
                clear_cache()
            start = time.perf_counter()
            result = sweep(build, models, quants, CONTEXTS, workload, calibration)
            times_ms.append((time.perf_counter() - start) * 1000)
        cells = result.fit.size
        verdicts = ", ".join(f"{name} {int((result.fit == code).sum())}" for code, name in enumerate(FITS))
        print(
            f"{build.name}: {len(models)} models x {len(quants)} quants x {len(CONTEXTS)} contexts = {cells} cells; "
            f"median {statistics.median(times_ms):.2f} ms, best {min(times_ms):.2f} ms over {args.runs} runs "
            f"({verdicts})"
        )


if __name__ == "__main__":
    main()
