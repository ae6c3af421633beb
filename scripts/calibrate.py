"""Refit the speed model on the public measurements and report its accuracy.

    .venv/bin/python scripts/calibrate.py             # fit, check, print every figure
    .venv/bin/python scripts/calibrate.py --write     # also write resources/calibration.json
    .venv/bin/python scripts/calibrate.py --snapshot  # also rewrite tests/data/accuracy_snapshot.json

Accuracy is checked on hardware the fit never saw (planner/calibration/accuracy.py): each
chip family left out in turn, each device left out in turn, and the frozen holdout
(db/calibration/holdout.json) predicted from every other device. Figures are medians and
90th percentiles over devices (each device's median error counts once) and over rows.
Rewrite the snapshot only when a change is meant to move the figures, and say why.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import defaultdict
from pathlib import Path

from planner.calibration.accuracy import (
    KINDS,
    HeldOut,
    Report,
    accuracy_report,
    load_families,
    load_holdout,
    with_bands,
)
from planner.calibration.fit import fit, samples_from_catalog
from planner.calibration.offload_data import measured_ram_bandwidth, offload_points
from planner.calibration.offload_fit import HeldOut as OffloadHeldOut
from planner.calibration.offload_fit import fit_offload, hold_out_machines, with_offload_params
from planner.catalog.store import Catalog
from planner.core.calibration import Calibration
from planner.resources import calibration_path, catalog_path, catalog_source_dir

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "tests" / "data" / "accuracy_snapshot.json"
LABELS = {"decode": "generation", "prefill": "prompt processing"}


def families_path() -> Path:
    return catalog_source_dir() / "calibration" / "chip_families.csv"


def holdout_path() -> Path:
    return catalog_source_dir() / "calibration" / "holdout.json"


def print_held_out(title: str, result: HeldOut) -> None:
    print(f"\n{title}")
    for kind in KINDS:
        print(
            f"  {LABELS[kind]:18} per device: median {result.device_median(kind):6.1%}, "
            f"90th pct {result.device_p90(kind):6.1%} ({len(result.devices(kind))} devices)   "
            f"per row: median {result.median(kind):6.1%}, 90th pct {result.p90(kind):6.1%} "
            f"({len(result.errors.get(kind, []))} rows)"
        )


def print_report(report: Report) -> None:
    print_held_out("Leave one chip family out (the headline figure; frozen holdout excluded):", report.by_family)
    print_held_out("Leave one device out (siblings stay in training; for comparison):", report.by_device)
    print_held_out(
        f"Frozen holdout ({len(report.holdout_devices)} devices, fitted on every other device):", report.holdout
    )
    print("\nBy backend (leave one chip family out), per row:")
    for (kind, backend), ratios in sorted(report.by_family.ratios.items()):
        errs = [abs(1 / r - 1) for r in ratios]
        print(f"  {kind:8} {backend:7} median {statistics.median(errs):6.1%}  n={len(ratios)}")
    print("\nBy device (leave one chip family out, median abs error):")
    for (kind, device), err in sorted(report.by_family.by_device.items()):
        print(f"  {kind:8} {device:40} {err:6.1%}")
    print("\nFrozen holdout by device:")
    for (kind, device), err in sorted(report.holdout.by_device.items()):
        print(f"  {kind:8} {device:40} {err:6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="write resources/calibration.json")
    parser.add_argument("--snapshot", action="store_true", help="rewrite tests/data/accuracy_snapshot.json")
    args = parser.parse_args()
    catalog = Catalog(catalog_path())
    samples, skipped = samples_from_catalog(catalog)
    print(f"{len(samples)} quality A/C samples used, {len(skipped)} skipped")
    reasons: dict[str, int] = defaultdict(int)
    for row in skipped:
        reasons[row["skip_reason"]] += 1
    for reason, count in sorted(reasons.items(), key=lambda x: -x[1]):
        print(f"  skipped {count:4}: {reason}")
    report = accuracy_report(samples, load_families(families_path()), load_holdout(holdout_path()))
    print_report(report)
    calibration = with_bands(fit(samples), report.by_family)
    b_samples, _ = samples_from_catalog(catalog, qualities=("B",))
    if b_samples:
        from planner.calibration.fit import predict

        errs = [abs(predict(s, calibration) - s.measured) / s.measured for s in b_samples]
        print(f"\nRough check on quality-B rows: median abs error {statistics.median(errs):.1%} (n={len(errs)})")
    print("\nFitted parameters:")
    print(json.dumps(calibration.to_dict(), indent=1, sort_keys=True))
    summary = report.summary()
    calibration, offload = _offload(catalog, calibration)
    if args.write:
        data = {**calibration.to_dict(), "accuracy": summary, "offload_held_out": _offload_summary(offload)}
        calibration_path().write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"\nwritten to {calibration_path()}")
    if args.snapshot:
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"snapshot written to {SNAPSHOT}")


def _offload_summary(held: OffloadHeldOut) -> dict[str, object]:
    return {
        kind: {
            "median_abs_error": round(held.median(kind), 4),
            "n": len(held.overall(kind)),
            "per_machine": {s: {"median": round(m, 4), "p90": round(p, 4), "n": n}
                            for s, (m, p, n) in held.per_machine(kind).items()},
        }
        for kind in ("decode", "prefill")
    }  # fmt: skip


def _offload(catalog: Catalog, calibration: Calibration) -> tuple[Calibration, OffloadHeldOut]:
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
