"""Does the per-PC correction help on a PC the calibration never saw?

For each device in the public measurements: fit the calibration without that device (as
scripts/calibrate.py's cross-validation does), then play "This PC": take k of the device's
runs *of other models* as the user's own measurements, fit the shrunken correction (planner.measure.correction)
on them, and predict each of the device's other runs of the same kind, with and without it.

    .venv/bin/python scripts/bench_correction.py
"""

from __future__ import annotations

import statistics
from collections import defaultdict

from planner.calibration.fit import fit, predict, samples_from_catalog
from planner.catalog.store import Catalog
from planner.measure.correction import fit_factor
from planner.resources import catalog_path

RUNS = (1, 2, 3, 5)


def main() -> None:
    catalog = Catalog(catalog_path())
    samples, _ = samples_from_catalog(catalog)
    model_of = {r["id"]: r["model_id"] for r in catalog.rows("SELECT id, model_id FROM measurements")}
    errors: dict[tuple[str, int], list[tuple[float, float]]] = defaultdict(list)
    devices = sorted({s.device_id for s in samples})
    for device in devices:
        calibration = fit([s for s in samples if s.device_id != device])
        held = [s for s in samples if s.device_id == device]
        for kind in ("decode", "prefill"):
            mine = [(s.measured, predict(s, calibration), model_of[s.row_id]) for s in held if s.kind == kind]
            for k in RUNS:
                for target in range(len(mine)):
                    # the user's k runs: the next k of *other models* after the target, cyclically
                    order = [mine[(target + 1 + i) % len(mine)] for i in range(len(mine) - 1)]
                    others = [r for r in order if r[2] != mine[target][2]][:k]
                    if len(others) < k:
                        continue
                    factor = fit_factor(m / p for m, p, _ in others).value
                    measured, predicted, _ = mine[target]
                    errors[(kind, k)].append(
                        (abs(predicted - measured) / measured, abs(predicted * factor - measured) / measured)
                    )
    print(f"{len(devices)} devices, leave-one-device-out calibration; median absolute error on held-out runs")
    print(f"{'kind':8} {'runs':>4} {'n':>5} {'estimate':>9} {'adjusted':>9} {'better':>7}")
    for (kind, k), pairs in sorted(errors.items()):
        before = statistics.median(p[0] for p in pairs)
        after = statistics.median(p[1] for p in pairs)
        better = sum(p[1] < p[0] for p in pairs) / len(pairs)
        print(f"{kind:8} {k:4d} {len(pairs):5d} {before:9.1%} {after:9.1%} {better:7.0%}")


if __name__ == "__main__":
    main()
