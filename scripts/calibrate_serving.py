"""Fit the serving engines' efficiencies and report how well they predict hardware held out.

    .venv/bin/python scripts/calibrate_serving.py            # report only
    .venv/bin/python scripts/calibrate_serving.py --write    # also write resources/serving_calibration.json

Cross-validation holds out one device (all its rows) at a time, fits on the rest and
predicts it. llama.cpp's batched rows (llama-batched-bench, llama-bench -ub N) are never
fitted: llama.cpp's one-user speed comes from the llama.cpp calibration, and its batch
scaling is checked against them as a second held-out set.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.calibration.serving_fit import bands, calibration_from, cross_validate, fit, samples  # noqa: E402
from planner.calibration.shipped import load_calibration  # noqa: E402
from planner.commands.common import open_catalog  # noqa: E402
from planner.core.serving_calibration import SERVING_PRIOR_CALIBRATION  # noqa: E402
from planner.estimation.front import Estimator  # noqa: E402
from planner.estimation.serving_front import ServeResult, ServingEstimator  # noqa: E402
from planner.resources import calibration_path, serving_calibration_path  # noqa: E402


def _stats(errors: list[float]) -> str:
    if not errors:
        return "-"
    return f"{statistics.median(errors):.1%} median, {float(np.percentile(errors, 90)):.1%} p90 (n={len(errors)})"


def report_cv(pairs: list) -> None:
    by_device: dict[str, list[float]] = defaultdict(list)
    overall: dict[str, list[float]] = defaultdict(list)
    for s, pred in pairs:
        err = abs(pred / s.measured - 1)
        by_device[f"{s.device_id} {s.metric}"].append(err)
        overall[s.metric].append(err)
    print("\n| held-out device, metric | abs error |\n|---|---|")
    for key in sorted(by_device):
        print(f"| {key} | {_stats(by_device[key])} |")
    for metric, errs in overall.items():
        print(f"| **all devices, {metric}** | **{_stats(errs)}** |")


def report_llama_cpp(catalog, calibration) -> None:
    serving = ServingEstimator(Estimator(catalog, calibration), SERVING_PRIOR_CALIBRATION)
    by_device: dict[str, list[float]] = defaultdict(list)
    print("\n| llama.cpp held out | batch | measured tok/s | estimated | error |\n|---|---|---|---|---|")
    for r in catalog.table("llama_batched_measurements", "device_id, quant, batch"):
        spec = (
            {"gpus": [{"gpu": r["device_id"], "count": 1}]}
            if r["device_id"] in catalog.gpu_rows
            else {"apple_chip": r["device_id"]}
        )
        build = serving.estimator.build_for({"build": {"name": r["device_id"], **spec}})
        out = serving.serve_build(build, {"model": r["model_id"], "quant": r["quant"], "engine": "llama.cpp",
                                          "users": r["batch"], "input": r["depth"], "output": 2})  # fmt: skip
        assert isinstance(out, ServeResult)
        est = out.points()[0]["decode_tok_s_aggregate"]
        err = abs(est / r["value"] - 1)
        by_device[r["device_id"]].append(err)
        name = f"{r['device_id']} {r['model_id']} {r['quant']}"
        print(f"| {name} | {r['batch']} | {r['value']:.1f} | {est:.1f} | {est / r['value'] - 1:+.0%} |")
    for device, errs in by_device.items():
        print(f"| **{device}** | | | | **{_stats(errs)}** |")
    print(f"| **all llama.cpp** | | | | **{_stats([e for v in by_device.values() for e in v])}** |")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    catalog = open_catalog()
    items = samples(catalog)
    print(f"{len(items)} usable serving rows on {len({s.device_id for s in items})} devices")
    pairs = cross_validate(items)
    report_cv(pairs)
    params = fit(items)
    for name, p in params.items():
        print(f"{name}: bw_eff {p.bw_eff:.3f} compute_eff {p.compute_eff:.3f} prefill_eff {p.prefill_eff:.3f} "
              f"step {p.step_s * 1e3:.2f} ms p {p.p:.2f} comm x{p.comm_scale:.2f} ({p.n_fit} rows)")  # fmt: skip
    report_llama_cpp(catalog, load_calibration(calibration_path()))
    if args.write:
        calibration = calibration_from(
            params, bands(pairs), f"fitted on {len(items)} serving rows (scripts/calibrate_serving.py)"
        )
        serving_calibration_path().write_text(json.dumps(calibration.to_dict(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {serving_calibration_path()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
