"""Fit the serving engines' efficiencies on the vendored serving measurements, and
cross-validate them with whole devices held out.

Each usable row (aggregate output tok/s or time per output token, at a stated
concurrency or offline, a stated layout, no expert/data parallelism and no speculative
decoding) becomes one `ServingSetup`; the fit moves the efficiencies of
`EngineParams` to minimise the squared log error, per engine, shrunk toward the pooled
fit of all engines so an engine with few rows borrows from the others.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np

from planner.catalog.builds import build_from_spec
from planner.catalog.serving_store import serving_rows
from planner.catalog.store import Catalog, Row
from planner.core.cost import CostSettings
from planner.core.serving import ServingSetup, curve, prefill_alone
from planner.core.serving_calibration import SERVING_PRIORS, EngineParams, ServingCalibration
from planner.core.serving_formats import ENGINES, SERVING_FORMATS
from planner.errors import PlannerError
from planner.estimation.serving_setup import gpu_setup

FIT_ENGINES = ("vllm", "sglang", "trt-llm")
FIT_METRICS = ("output_tok_s", "tpot_ms")
FREE = ("bw_eff", "compute_eff", "step_s", "prefill_eff", "p", "comm_scale")
# Physically plausible ranges: a fit that wants to leave them is telling us about the model,
# not about the hardware, and may not buy its in-sample error with an absurd efficiency.
BOUNDS = {
    "bw_eff": (0.4, 0.92),
    "compute_eff": (0.15, 0.8),
    "step_s": (2e-4, 8e-3),
    "prefill_eff": (0.15, 0.8),
    "p": (1.0, 8.0),
    "comm_scale": (0.5, 4.0),
}
SHRINK = 0.5  # weight of (log param - pooled log param)^2 per engine, in squared-log-error units
LINKS = {
    "b200": "NVLink 5 (1800 GB/s per GPU)",
    "gb200": "NVLink 5 (1800 GB/s per GPU)",
    "mi300x": "Infinity Fabric (896 GB/s per GPU)",
}
DEFAULT_LINK = "NVLink 4 (900 GB/s per GPU)"


@dataclass(frozen=True)
class ServingSample:
    row: Row
    setup: ServingSetup
    users: float
    metric: str
    measured: float

    @property
    def device_id(self) -> str:
        return str(self.row["device_id"])

    @property
    def engine(self) -> str:
        return str(self.row["engine"])


def predict(sample: ServingSample, params: EngineParams) -> float:
    setup = replace(
        sample.setup,
        params=params,
        prefill_alone_s=prefill_alone(
            sample.setup.shape, params, sample.setup.input_tokens, sample.setup.engine.chunk_tokens
        ),
    )
    users = sample.users or float(min(setup.max_users, setup.batch_cap * setup.layout.replicas))
    return float(curve(setup, np.array([users]))[sample.metric][0])


def usable(row: Row) -> bool:
    return bool(
        row["metric"] in FIT_METRICS
        and row["engine"] in FIT_ENGINES
        and row["model_id"]
        and row["format"]
        and row["input_len"]
        and row["output_len"]
        and not row["other_parallel"]
        and not row["speculative"]
        and row["device_id"]
        and (row["concurrency"] or row["offline"])
        and row["value"]
    )


def samples(catalog: Catalog, serving: ServingCalibration | None = None) -> list[ServingSample]:
    serving = serving or ServingCalibration()
    out = []
    for row in serving_rows(catalog):
        if not usable(row) or row["device_id"] not in catalog.gpu_rows:
            continue
        n = int(row["n_devices"] or row["tensor_parallel"] or 1)
        tp, pp = int(row["tensor_parallel"] or n), int(row["pipeline_parallel"] or 1)
        spec = {
            "name": row["hardware_as_printed"],
            "gpus": [{"gpu": row["device_id"], "count": n}],
            "split": "tensor",
            "interconnect": LINKS.get(row["device_id"], DEFAULT_LINK),
        }
        try:
            build = build_from_spec(catalog, spec)
            model = catalog.model(row["model_id"])
            users = float(row["concurrency"] or 0)
            lengths = (int(row["input_len"]), int(row["output_len"]))
            fmt = SERVING_FORMATS[row["format"]]
            engine = ENGINES[row["engine"]]
            setup = gpu_setup(
                build, model, engine, *lengths, _kv(row), fmt, tp, pp, int(users or 1), serving, CostSettings()
            )
        except PlannerError:
            continue
        if setup.batch_cap:
            out.append(ServingSample(row, setup, users, row["metric"], float(row["value"])))
    return out


def _kv(row: Row) -> str:
    """TensorRT-LLM's benchmarks quantize the KV cache with FP8 and FP4 checkpoints; vLLM/SGLang keep BF16."""
    return "fp8" if row["engine"] == "trt-llm" and row["format"] in ("FP8", "NVFP4") else "f16"


def _loss(items: list[ServingSample], params: EngineParams, anchor: EngineParams | None) -> float:
    errors = [math.log(predict(s, params) / s.measured) for s in items]
    total = sum(e * e for e in errors)
    if anchor is not None:
        total += SHRINK * sum(math.log(getattr(params, k) / getattr(anchor, k)) ** 2 for k in FREE)
    return total


def fit_params(items: list[ServingSample], start: EngineParams, anchor: EngineParams | None = None) -> EngineParams:
    """Coordinate descent in log space, step halving: small, dependency-free and deterministic."""
    best, best_loss = start, _loss(items, start, anchor)
    step = 0.5
    while step > 0.02:
        improved = False
        for key in FREE:
            for direction in (1.0, -1.0):
                low, high = BOUNDS[key]
                value = min(max(getattr(best, key) * math.exp(direction * step), low), high)
                trial = replace(best, **{key: value})
                loss = _loss(items, trial, anchor)
                if loss < best_loss - 1e-9:
                    best, best_loss, improved = trial, loss, True
        if not improved:
            step /= 2
    return replace(best, n_fit=len(items))


def fit(items: list[ServingSample]) -> dict[str, EngineParams]:
    pooled = fit_params(items, SERVING_PRIORS["vllm"])
    by_engine: dict[str, list[ServingSample]] = defaultdict(list)
    for s in items:
        by_engine[s.engine].append(s)
    fitted = {name: fit_params(rows, pooled, anchor=pooled) for name, rows in by_engine.items()}
    return {"pooled": pooled, **fitted}


def cross_validate(items: list[ServingSample]) -> list[tuple[ServingSample, float]]:
    """(sample, predicted) with every device's rows predicted by a fit that never saw that device."""
    out = []
    for device in sorted({s.device_id for s in items}):
        train = [s for s in items if s.device_id != device]
        params = fit(train)
        for s in items:
            if s.device_id == device:
                out.append((s, predict(s, params.get(s.engine, params["pooled"]))))
    return out


def bands(pairs: list[tuple[ServingSample, float]]) -> dict[str, tuple[float, float]]:
    """10th-90th percentile of measured/predicted throughput, per engine (tpot inverted)."""
    ratios: dict[str, list[float]] = defaultdict(list)
    for s, pred in pairs:
        r = s.measured / pred if s.metric == "output_tok_s" else pred / s.measured
        ratios[s.engine].append(r)
        ratios["pooled"].append(r)
    return {k: (float(np.percentile(v, 10)), float(np.percentile(v, 90))) for k, v in ratios.items()}


def calibration_from(
    params: dict[str, EngineParams], band: dict[str, tuple[float, float]], source: str
) -> ServingCalibration:
    engines = {name: replace(p, band=band.get(name, band["pooled"])) for name, p in params.items() if name != "pooled"}
    pooled = replace(params["pooled"], band=band["pooled"])
    engines.setdefault("vllm", pooled)
    for name in ("llama.cpp", "mlx"):
        engines[name] = SERVING_PRIORS[name]
    return ServingCalibration(engines=engines, source=source)
