"""Refit the speed model on the public measurements and report its accuracy.

    .venv/bin/python scripts/calibrate.py            # fit, cross-validate, print residuals
    .venv/bin/python scripts/calibrate.py --write    # also write resources/calibration.json

Accuracy is cross-validated by device: each device is left out, the model is fitted on
the rest and then predicts the left-out device's measurements.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import defaultdict

from planner.calibration.fit import (
    cross_validate,
    fit,
    predict,
    samples_from_catalog,
    with_bands,
)
from planner.calibration.offload_data import measured_ram_bandwidth, offload_points
from planner.calibration.offload_fit import HeldOut, fit_offload, hold_out_machines, with_offload_params
from planner.catalog.store import Catalog
from planner.core.calibration import Calibration
from planner.resources import calibration_path, catalog_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="write resources/calibration.json")
    args = parser.parse_args()
    catalog = Catalog(catalog_path())
    samples, skipped = samples_from_catalog(catalog)
    print(f"{len(samples)} quality A/C samples used, {len(skipped)} skipped")
    reasons = defaultdict(int)
    for row in skipped:
        reasons[row["skip_reason"]] += 1
    for reason, count in sorted(reasons.items(), key=lambda x: -x[1]):
        print(f"  skipped {count:4}: {reason}")
    cv = cross_validate(samples)
    calibration = with_bands(fit(samples), cv)
    print("\nCross-validated by device (leave one device out), median absolute error:")
    for kind in ("decode", "prefill"):
        print(f"  {kind:8} {cv.median(kind):6.1%}  over {len(cv.errors.get(kind, []))} measurements")
    print("\nBy backend (cross-validated):")
    for (kind, backend), ratios in sorted(cv.ratios.items()):
        errs = [abs(1 / r - 1) for r in ratios]
        print(f"  {kind:8} {backend:7} median {statistics.median(errs):6.1%}  n={len(ratios)}")
    print("\nBy device (cross-validated median abs error):")
    for (kind, device), err in sorted(cv.by_device.items()):
        print(f"  {kind:8} {device:40} {err:6.1%}")
    print("\nIn-sample residuals by device class:")
    classes = defaultdict(list)
    for s in samples:
        cls = "apple" if s.backend == "metal" else catalog.device_row(s.device_id).get("segment", "?")
        classes[(s.kind, cls)].append(abs(predict(s, calibration) - s.measured) / s.measured)
    for (kind, cls), errs in sorted(classes.items()):
        print(f"  {kind:8} {cls:12} median {statistics.median(errs):6.1%}  n={len(errs)}")
    b_samples, _ = samples_from_catalog(catalog, qualities=("B",))
    if b_samples:
        errs = [abs(predict(s, calibration) - s.measured) / s.measured for s in b_samples]
        print(f"\nRough check on quality-B rows: median abs error {statistics.median(errs):.1%} (n={len(errs)})")
    print("\nFitted parameters:")
    print(json.dumps(calibration.to_dict(), indent=1, sort_keys=True))
    calibration, held = _offload(catalog, calibration)
    if args.write:
        data = calibration.to_dict()
        data["offload_held_out"] = {
            kind: {
                "median_abs_error": round(held.median(kind), 4),
                "n": len(held.overall(kind)),
                "per_machine": {s: {"median": round(m, 4), "p90": round(p, 4), "n": n}
                                for s, (m, p, n) in held.per_machine(kind).items()},
            }
            for kind in ("decode", "prefill")
        }  # fmt: skip
        data["cross_validation"] = {
            "decode_median_abs_error": round(cv.median("decode"), 4),
            "prefill_median_abs_error": round(cv.median("prefill"), 4),
            "decode_n": len(cv.errors.get("decode", [])),
            "prefill_n": len(cv.errors.get("prefill", [])),
        }
        calibration_path().write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"\nwritten to {calibration_path()}")


def _offload(catalog: Catalog, calibration: Calibration) -> tuple[Calibration, HeldOut]:
    """Fit the offload terms (experts/layers in RAM, CPU-only) and judge them on held-out machines."""
    points, skipped = offload_points(catalog)
    used = [p for p in points if not p.all_gpu_baseline]
    print(
        f"\nOffload: {len(used)} measurements on {len({p.setup_id for p in used})} machines "
        f"({len(points) - len(used)} all-GPU baselines set aside)"
    )
    for reason, count in sorted(skipped.items(), key=lambda x: -x[1]):
        print(f"  skipped {count:4}: {reason}")
    measured = measured_ram_bandwidth(catalog)
    held = hold_out_machines(used, calibration, measured)
    print("Held out by machine (fit on the others), |predicted/measured - 1|:")
    for kind in ("decode", "prefill"):
        print(f"  {kind:8} median {held.median(kind):6.1%} over {len(held.overall(kind))} measurements")
        for setup, (median, p90, n) in held.per_machine(kind).items():
            print(f"    {setup:16} median {median:6.1%}  p90 {p90:6.1%}  n={n}")
    values = fit_offload(used, calibration, measured)
    print("Offload parameters:", {k: round(v, 6) for k, v in values.items()})
    return with_offload_params(calibration, values), held


if __name__ == "__main__":
    main()
