"""How accurate the fitted model is on hardware it never saw.

Three checks, all reported by `scripts/calibrate.py` and stated in docs/CALIBRATION.md:

- leave one chip family out: every family (one die: RTX 4090, 4090 D, RTX 6000 Ada and
  L40S are all AD102; an M1 Max with 24 or 32 GPU cores is one M1 Max die) is held out in
  turn, the model is fitted on the rest and predicts it, so no sibling of a device helps
  predict it (db/calibration/chip_families.csv);
- leave one device out: the older, kinder check, kept for comparison;
- the frozen holdout: a fixed list of devices (db/calibration/holdout.json) that no design
  decision looks at; the model is fitted on every other device and predicts them.

Errors are |estimate - measured| / measured. Every figure is given per device (the median
of each device's errors, then the median and 90th percentile over devices), so a device
with 60 rows counts as much as one with 2, and over rows for comparison with older reports.
"""

from __future__ import annotations

import csv
import json
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from planner.calibration.fit import Sample, fit, predict
from planner.core.calibration import Calibration

KINDS = ("decode", "prefill")


def _p90(values: list[float]) -> float:
    return float(np.quantile(values, 0.9)) if values else float("nan")


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


@dataclass(frozen=True)
class HeldOut:
    """Predictions for samples the fit did not see."""

    errors: dict[str, list[float]]  # kind -> |pred - meas| / meas, one per sample
    device_errors: dict[tuple[str, str], list[float]]  # (kind, device) -> its samples' errors
    ratios: dict[tuple[str, str], list[float]]  # (kind, backend) -> measured / predicted

    @property
    def by_device(self) -> dict[tuple[str, str], float]:
        """(kind, device) -> median absolute error of that device."""
        return {key: _median(errs) for key, errs in self.device_errors.items()}

    def devices(self, kind: str) -> list[float]:
        return [err for (k, _), err in self.by_device.items() if k == kind]

    def median(self, kind: str) -> float:
        """Median over rows (the figure older reports gave)."""
        return _median(self.errors.get(kind, []))

    def p90(self, kind: str) -> float:
        return _p90(self.errors.get(kind, []))

    def device_median(self, kind: str) -> float:
        """Median over devices of each device's median error."""
        return _median(self.devices(kind))

    def device_p90(self, kind: str) -> float:
        return _p90(self.devices(kind))

    def summary(self) -> dict[str, float | int]:
        """The figures the docs state, rounded for a snapshot."""
        out: dict[str, float | int] = {}
        for kind in KINDS:
            out[f"{kind}_device_median"] = round(self.device_median(kind), 4)
            out[f"{kind}_device_p90"] = round(self.device_p90(kind), 4)
            out[f"{kind}_row_median"] = round(self.median(kind), 4)
            out[f"{kind}_row_p90"] = round(self.p90(kind), 4)
            out[f"{kind}_devices"] = len(self.devices(kind))
            out[f"{kind}_rows"] = len(self.errors.get(kind, []))
        return out


def predict_held_out(train: list[Sample], held: Iterable[Sample], into: _Collector | None = None) -> HeldOut:
    """Fit on `train`, predict `held`."""
    collector = into or _Collector()
    calibration = fit(train)
    for s in held:
        collector.add(s, predict(s, calibration))
    return collector.result()


def cross_validate(samples: list[Sample], group_of: Callable[[Sample], str] | None = None) -> HeldOut:
    """Leave each group out (a device unless `group_of` says otherwise), fit on the rest, predict it."""
    key = group_of or (lambda s: s.device_id)
    collector = _Collector()
    for group in sorted({key(s) for s in samples}):
        train = [s for s in samples if key(s) != group]
        if train:
            predict_held_out(train, [s for s in samples if key(s) == group], collector)
    return collector.result()


class _Collector:
    def __init__(self) -> None:
        self.errors: dict[str, list[float]] = defaultdict(list)
        self.device_errors: dict[tuple[str, str], list[float]] = defaultdict(list)
        self.ratios: dict[tuple[str, str], list[float]] = defaultdict(list)

    def add(self, sample: Sample, predicted: float) -> None:
        err = abs(predicted - sample.measured) / sample.measured
        self.errors[sample.kind].append(err)
        self.device_errors[(sample.kind, sample.device_id)].append(err)
        self.ratios[(sample.kind, sample.backend)].append(sample.measured / predicted)

    def result(self) -> HeldOut:
        return HeldOut(dict(self.errors), dict(self.device_errors), dict(self.ratios))


# ---- the families and the frozen holdout (data in db/calibration) ----------------------


def load_families(path: Path) -> dict[str, str]:
    """device id -> chip family (die). Devices not listed are a family of their own."""
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["device_id"]: row["family"] for row in csv.DictReader(fh)}


def load_holdout(path: Path) -> frozenset[str]:
    return frozenset(json.loads(path.read_text(encoding="utf-8"))["devices"])


@dataclass(frozen=True)
class Report:
    """Every accuracy figure scripts/calibrate.py prints and the docs state."""

    by_family: HeldOut
    by_device: HeldOut
    holdout: HeldOut
    holdout_devices: frozenset[str]

    def summary(self) -> dict[str, dict[str, float | int]]:
        return {
            "leave_one_family_out": self.by_family.summary(),
            "leave_one_device_out": self.by_device.summary(),
            "frozen_holdout": self.holdout.summary(),
        }


def accuracy_report(samples: list[Sample], families: dict[str, str], holdout: frozenset[str]) -> Report:
    """Cross-validate on every device outside the frozen holdout; fit on all of them to
    predict the holdout."""
    development = [s for s in samples if s.device_id not in holdout]
    held = [s for s in samples if s.device_id in holdout]
    return Report(
        by_family=cross_validate(development, lambda s: families.get(s.device_id, s.device_id)),
        by_device=cross_validate(development),
        holdout=predict_held_out(development, held),
        holdout_devices=holdout,
    )


def _band(ratios: list[float], default: tuple[float, float]) -> tuple[float, float]:
    """10th-90th percentile of measured/estimated, always bracketing the estimate."""
    if len(ratios) < 5:
        return default
    lo, hi = np.quantile(sorted(ratios), [0.1, 0.9])
    return round(float(min(lo, 0.95)), 3), round(float(max(hi, 1.05)), 3)


def with_bands(calibration: Calibration, held_out: HeldOut) -> Calibration:
    """Attach each backend's 10th-90th percentile measured/estimated band, from predictions
    of hardware the fit did not see (leave one chip family out)."""
    backends = dict(calibration.backends)
    for name, params in backends.items():
        decode_band = _band(held_out.ratios.get(("decode", name), []), params.decode_band)
        prefill_band = _band(held_out.ratios.get(("prefill", name), []), params.prefill_band)
        backends[name] = replace(params, decode_band=decode_band, prefill_band=prefill_band)
    return replace(calibration, backends=backends)
