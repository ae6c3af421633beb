"""Fit the offload terms on the offload measurements and judge them on machines left out.

On top of the GPU calibration: the share of RAM bandwidth reached comes from the machines'
own bandwidth measurements (STREAM / Intel mlc, not token rates); fitted are each engine's
share of CPU FLOPs (llama.cpp and ik_llama.cpp have different CPU kernels), the RAM bandwidth
one thread can stream, the cost of handing
a layer's work to the CPU threads and back (`cpu_sync`, decode), ik_llama.cpp's flash-attention
prefill cost (`attn:fa:ik`: its rows ran it, at depth) and the
effective host to
GPU copy rate for weights in RAM (`pcie_gbs`, prefill). The fit minimises absolute log error
by coordinate search over physically sensible ranges. The loss is the sum of absolute log
errors: a few rows far off (an old dual-socket Xeon, a thrashing run) must not pull the rest.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np

from planner.calibration.offload_data import OffloadPoint
from planner.core.calibration import BackendParams, Calibration, EngineParams
from planner.core.physics import run_one

ENGINES = ("llama.cpp", "ik_llama.cpp")
GRIDS = {
    "bw": [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0],
    "flops": [0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0],
    "cpu_sync": [0.0, 1e-6, 2e-6, 4e-6, 8e-6, 1.6e-5, 3.2e-5],
    "pcie_gbs": [6.0, 9.0, 12.0, 16.0, 20.0, 24.0, 28.0, 32.0],
    "cpu_thread_gbs": [3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0, 12.0, 16.0],
    "attn:fa:ik": [1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 9.0, 13.0],
}


def predict(point: OffloadPoint, calibration: Calibration) -> float:
    with np.errstate(all="ignore"):
        run = run_one(point.build, point.model, point.quant, point.workload, calibration)
    value = float(run.decode_tok_s if point.kind == "decode" else run.prefill_tok_s)
    return value if math.isfinite(value) and value > 0 else float("nan")


def with_offload_params(base: Calibration, values: dict[str, float]) -> Calibration:
    engines = {e: EngineParams(values.get(f"bw:{e}", 0.6), values.get(f"flops:{e}", 0.35)) for e in ENGINES}
    backends = dict(base.backends)
    for name in backends or {"cuda": BackendParams()}:
        params = backends.get(name, BackendParams())
        decode = {**dict(params.decode), "cpu_sync": values.get("cpu_sync", 5e-6)}
        prefill = dict(params.prefill)
        if "attn:fa:ik" in values:  # ik_llama.cpp's rows ran its flash attention at depth
            prefill["attn:fa:ik"] = values["attn:fa:ik"]
        backends[name] = replace(params, decode=tuple(sorted(decode.items())), prefill=tuple(sorted(prefill.items())))
    mainline = engines["llama.cpp"]
    return replace(
        base, engines=engines, backends=backends, pcie_gbs=values.get("pcie_gbs", base.pcie_gbs),
        cpu_thread_gbs=values.get("cpu_thread_gbs", base.cpu_thread_gbs),
        cpu_bw_efficiency=mainline.cpu_bw_efficiency, cpu_flops_efficiency=mainline.cpu_flops_efficiency,
    )  # fmt: skip


def loss(points: list[OffloadPoint], calibration: Calibration) -> float:
    total = 0.0
    for p in points:
        predicted = predict(p, calibration)
        total += abs(math.log(predicted / p.measured)) if math.isfinite(predicted) else 5.0
    return total


def stream_efficiency(points: list[OffloadPoint], measured: dict[str, float]) -> float:
    """Median share of channels x MT/s x 8 that the machines' own STREAM / Intel mlc runs
    reached (offload_setups.measured_ram_gbs): the RAM efficiency, taken from bandwidth
    measurements rather than fitted to token rates."""
    shares = []
    for setup in sorted({p.setup_id for p in points}):
        if setup in measured:
            build = next(p.build for p in points if p.setup_id == setup)
            shares.append(measured[setup] / build.ram_bandwidth_gbs)
    return statistics.median(shares) if shares else 0.7


def fit_offload(
    points: list[OffloadPoint], base: Calibration, measured_ram_gbs: dict[str, float] | None = None, rounds: int = 2
) -> dict[str, float]:
    stream = stream_efficiency(points, measured_ram_gbs or {})
    values = {
        "cpu_sync": 0.0,
        "pcie_gbs": base.pcie_gbs,
        "attn:fa": base.backend("cuda").prefill_coef()["attn:fa"],
        "cpu_thread_gbs": base.cpu_thread_gbs,
    }
    for e in ENGINES:
        values[f"bw:{e}"], values[f"flops:{e}"] = stream, base.cpu_flops_efficiency
    names = ["attn:fa:ik", *(f"flops:{e}" for e in ENGINES), "cpu_thread_gbs", "cpu_sync", "pcie_gbs"]
    for _ in range(rounds):
        for name in names:
            grid = GRIDS[name] if name in GRIDS else GRIDS[name.split(":")[0]]
            relevant = _relevant(points, name)
            if not relevant:
                continue
            scores = [(loss(relevant, with_offload_params(base, {**values, name: v})), v) for v in grid]
            values[name] = min(scores)[1]
    return values


def _relevant(points: list[OffloadPoint], name: str) -> list[OffloadPoint]:
    """Only the points a parameter can move (keeps the search fast)."""
    if name.startswith(("bw:", "flops:")):
        return [p for p in points if p.engine == name.split(":", 1)[1]]
    if name == "attn:fa:ik":
        return [
            p for p in points
            if p.kind == "prefill" and p.build.gpus and p.workload.depth > 0 and p.engine == "ik_llama.cpp"
        ]  # fmt: skip
    if name in ("cpu_sync", "cpu_thread_gbs"):
        return [p for p in points if p.kind == "decode"]
    return [p for p in points if p.kind == "prefill" and p.build.gpus]


@dataclass(frozen=True)
class HeldOut:
    """Errors on machines the fit never saw: |predicted/measured - 1| per point."""

    errors: dict[tuple[str, str], list[float]]  # (kind, setup_id) -> errors

    def overall(self, kind: str) -> list[float]:
        return [e for (k, _), errs in self.errors.items() if k == kind for e in errs]

    def median(self, kind: str) -> float:
        values = self.overall(kind)
        return statistics.median(values) if values else float("nan")

    def per_machine(self, kind: str) -> dict[str, tuple[float, float, int]]:
        """setup -> (median, p90, count)."""
        out = {}
        for (k, setup), errs in sorted(self.errors.items()):
            if k == kind and errs:
                ordered = sorted(errs)
                p90 = ordered[min(len(ordered) - 1, math.ceil(0.9 * len(ordered)) - 1)]
                out[setup] = (statistics.median(ordered), p90, len(ordered))
        return out


def hold_out_machines(
    points: list[OffloadPoint], base: Calibration, measured_ram_gbs: dict[str, float] | None = None
) -> HeldOut:
    """Leave each machine out, fit on the others, predict it."""
    errors: dict[tuple[str, str], list[float]] = defaultdict(list)
    for setup in sorted({p.setup_id for p in points}):
        train = [p for p in points if p.setup_id != setup]
        calibration = with_offload_params(base, fit_offload(train, base, measured_ram_gbs, rounds=2))
        for p in points:
            if p.setup_id == setup:
                predicted = predict(p, calibration)
                error = abs(predicted / p.measured - 1) if math.isfinite(predicted) else 1.0
                errors[(p.kind, setup)].append(error)
    return HeldOut(dict(errors))
