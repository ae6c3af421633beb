"""Accuracy on unseen hardware: the fit, the held-out checks and the bands they give."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from planner.calibration.accuracy import (
    accuracy_report,
    cross_validate,
    load_families,
    load_holdout,
    predict_held_out,
    with_bands,
)
from planner.calibration.fit import Sample, fit, predict, samples_from_catalog
from planner.catalog.store import Catalog
from planner.core.calibration import PRIORS

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "tests" / "data" / "accuracy_snapshot.json"
FAMILIES = ROOT / "db" / "calibration" / "chip_families.csv"
HOLDOUT = ROOT / "db" / "calibration" / "holdout.json"
TOLERANCE = 0.005  # half a percentage point: float noise passes, a real regression does not
TRUE_DECODE = {"bw:k-quant": 1.25, "layers": 2e-5, "token": 4e-4}


def decode_sample(device: str, weights_s: float, layers: int, efficiency_scale: float = 1.0, row: int = 0) -> Sample:
    """A decode measurement made by a device that follows TRUE_DECODE (times a device quirk)."""
    features = {"bw:k-quant": weights_s, "layers": float(layers), "token": 1.0, "known": 0.0}
    seconds = sum(TRUE_DECODE[k] * v for k, v in features.items() if k in TRUE_DECODE) * efficiency_scale
    return Sample(
        row_id=row, device_id=device, backend="cuda", kind="decode", measured=1 / seconds,
        features=features, quant_family="k-quant", quality="A",
    )  # fmt: skip


def synthetic(devices: dict[str, float]) -> list[Sample]:
    samples = []
    for d, (device, scale) in enumerate(devices.items()):
        for i, (weights_s, layers) in enumerate([(0.004, 32), (0.012, 48), (0.030, 80), (0.002, 24)]):
            samples.append(decode_sample(device, weights_s * (1 + d / 10), layers, scale, row=10 * d + i))
    return samples


def test_the_fit_recovers_known_coefficients() -> None:
    calibration = fit(synthetic({"a": 1.0, "b": 1.0, "c": 1.0}))
    coef = calibration.backend("cuda").decode_coef()
    for name, value in TRUE_DECODE.items():
        assert coef[name] == pytest.approx(value, rel=1e-6)


def test_the_fit_keeps_coefficients_physical() -> None:
    """Data that would want efficiency above 100% (coefficient < 1) or a negative cost gets the bound."""
    samples = []
    for i, (weights_s, layers) in enumerate([(0.004, 32), (0.012, 48), (0.030, 80), (0.002, 24), (0.02, 10)]):
        features = {"bw:k-quant": weights_s, "layers": float(layers), "token": 1.0, "known": 0.0}
        seconds = 0.8 * weights_s + 0.002 - 1e-5 * layers  # faster than peak; negative per-layer cost
        samples.append(Sample(i, "x", "cuda", "decode", 1 / seconds, features, "k-quant", "A"))
    coef = fit(samples).backend("cuda").decode_coef()
    assert coef["bw:k-quant"] >= 1.0
    assert coef["layers"] >= 0.0 and coef["token"] >= 0.0


def test_leaving_a_device_out_sees_its_quirk() -> None:
    """A device 30% slower than the rest is predicted from the others: its error is 30%."""
    samples = synthetic({"a": 1.0, "b": 1.0, "c": 1.0, "slow": 1.3})
    result = cross_validate(samples)
    assert result.by_device[("decode", "slow")] == pytest.approx(0.3, rel=1e-3)
    for device in "abc":
        assert result.by_device[("decode", device)] < 0.12
    assert len(result.errors["decode"]) == len(samples)


def test_leaving_a_family_out_keeps_siblings_out_of_training() -> None:
    """Two siblings share a quirk: by device each is predicted by the other; by family, neither is."""
    samples = synthetic({"a": 1.0, "b": 1.0, "c": 1.0, "slow-1": 1.3, "slow-2": 1.3})
    family = {"slow-1": "slow die", "slow-2": "slow die"}
    by_device = cross_validate(samples)
    by_family = cross_validate(samples, lambda s: family.get(s.device_id, s.device_id))
    assert by_family.by_device[("decode", "slow-1")] > by_device.by_device[("decode", "slow-1")] + 0.05
    assert by_family.by_device[("decode", "slow-1")] == pytest.approx(0.3, rel=1e-3)


def test_device_figures_count_each_device_once() -> None:
    """Nine rows of a device 10% off and one row of a device 100% off: by row the median is
    10%, by device it is the middle of 10% and 100%."""
    train = synthetic({"a": 1.0, "b": 1.0, "c": 1.0})
    held = [decode_sample("many", 0.004 * (i + 1), 32, 1.1, row=100 + i) for i in range(9)]
    result = predict_held_out(train, [*held, decode_sample("odd", 0.01, 40, 2.0)])
    assert sorted(result.devices("decode")) == [pytest.approx(0.1), pytest.approx(1.0)]
    assert result.median("decode") == pytest.approx(0.1)
    assert result.device_median("decode") == pytest.approx(0.55)
    assert result.device_p90("decode") == pytest.approx(0.91)
    assert math.isnan(result.device_median("prefill"))


def test_bands_bracket_the_estimate_and_come_from_held_out_ratios() -> None:
    samples = synthetic({"a": 1.0, "b": 0.9, "c": 1.1, "d": 1.2, "e": 0.8, "f": 1.0})
    held = cross_validate(samples)
    banded = with_bands(fit(samples), held)
    low, high = banded.backend("cuda").decode_band
    assert low < 0.95 < 1.05 < high
    ratios = sorted(held.ratios[("decode", "cuda")])
    assert ratios[0] <= low and high <= ratios[-1]
    # too few held-out ratios: the default band stays
    few = with_bands(fit(samples), cross_validate(samples[:4]))
    assert few.backend("cuda").decode_band == PRIORS.backend("cuda").decode_band


def test_every_device_of_the_holdout_has_a_family_and_calibration_rows(catalog: Catalog) -> None:
    families, holdout = load_families(FAMILIES), load_holdout(HOLDOUT)
    samples, _ = samples_from_catalog(catalog)
    measured = {s.device_id for s in samples}
    assert holdout <= measured
    picked = set(json.loads(HOLDOUT.read_text())["families"])
    assert {families[d] for d in holdout} == picked
    assert {d for d, f in families.items() if f in picked and d in measured} == holdout


def test_accuracy_on_unseen_hardware_is_no_worse_than_the_snapshot(catalog: Catalog) -> None:
    """Fails when a change makes the held-out figures worse. If a change is meant to move
    them, rerun scripts/calibrate.py --snapshot and say why in the commit."""
    samples, _ = samples_from_catalog(catalog)
    report = accuracy_report(samples, load_families(FAMILIES), load_holdout(HOLDOUT))
    snapshot = json.loads(SNAPSHOT.read_text())
    for check, figures in report.summary().items():
        for name, value in figures.items():
            expected = snapshot[check][name]
            where = f"{check}.{name}: now {value}, snapshot {expected}"
            if name.endswith(("_devices", "_rows")):
                assert value == expected, where + " (the data changed: rerun scripts/calibrate.py --snapshot)"
            else:
                assert value <= expected + TOLERANCE, where


def test_predictions_are_positive_and_finite(catalog: Catalog) -> None:
    samples, _ = samples_from_catalog(catalog)
    calibration = fit(samples)
    assert all(math.isfinite(p) and p > 0 for p in (predict(s, calibration) for s in samples))
