"""Measure how long a build sheet takes to export: estimates, layout, PDF and the atomic write.

The default request (a preset, the five most popular models it runs, two quants, two
contexts) gives a three-page A4 sheet. Each run is timed end to end, as the app and the
command line run it, after one warm-up run (Qt's font database loads once per process). Run:

    .venv/bin/python scripts/bench_export.py --runs 20
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from planner.calibration.shipped import load_calibration
from planner.commands.common import open_catalog
from planner.estimation.front import Estimator
from planner.reporting.sheet_data import SheetRequest
from planner.resources import calibration_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="3090 build")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from planner.reporting.export import export_build_sheet

    catalog = open_catalog()
    estimator = Estimator(catalog, load_calibration(calibration_path()))
    preset_id = catalog.preset_index.resolve(args.preset)
    request = SheetRequest(estimator.build_for({"preset": preset_id}), "catalog preset", preset_id=preset_id)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "sheet.pdf"
        start = time.perf_counter()
        first = export_build_sheet(request, target, estimator)
        cold_s = time.perf_counter() - start
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            export_build_sheet(request, target, estimator)
            times.append(time.perf_counter() - start)
        size_kib = target.stat().st_size / 1024
    print(f"{args.preset}: {first.pages} pages, {size_kib:.0f} KiB")
    print(f"first export (fonts loading): {cold_s * 1000:.0f} ms")
    print(
        f"{args.runs} exports: median {statistics.median(times) * 1000:.0f} ms, "
        f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
