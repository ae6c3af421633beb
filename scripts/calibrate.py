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
from planner.catalog.store import Catalog
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
    if args.write:
        data = calibration.to_dict()
        data["cross_validation"] = {
            "decode_median_abs_error": round(cv.median("decode"), 4),
            "prefill_median_abs_error": round(cv.median("prefill"), 4),
            "decode_n": len(cv.errors.get("decode", [])),
            "prefill_n": len(cv.errors.get("prefill", [])),
        }
        calibration_path().write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"\nwritten to {calibration_path()}")


if __name__ == "__main__":
    main()
