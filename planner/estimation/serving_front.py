"""`planner serve` from names: resolve the build, model, weight format and engine, choose
the tensor/pipeline layout, and evaluate the serving model (planner.core.serving)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner.catalog.serving_store import same_architecture, serving_rows
from planner.core.cost import CostSettings
from planner.core.dataflow import DataflowAnswer
from planner.core.hardware import Build
from planner.core.model import ModelArch
from planner.core.serving import ServingSetup, curve, point
from planner.core.serving_calibration import ServingCalibration
from planner.core.serving_formats import check_engine_runs, engine_named, serving_format
from planner.errors import InputError
from planner.estimation.dataflow_front import dataflow_answer
from planner.estimation.front import Estimator
from planner.estimation.serving_setup import gpu_setup, llama_cpp_setup

SERVE_KEYS = {
    "gpu",
    "gpus",
    "preset",
    "build",
    "memory_gb",
    "model",
    "quant",
    "engine",
    "tensor_parallel",
    "pipeline_parallel",
    "users",
    "input",
    "output",
    "kv_cache",
}
MAX_USERS = 100_000


@dataclass(frozen=True)
class ServeResult:
    build: Build
    model: ModelArch
    quant: str
    setup: ServingSetup
    users: tuple[int, ...]
    measured: tuple[dict[str, Any], ...] = ()
    assumptions: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    def points(self) -> list[dict[str, Any]]:
        s = self.setup
        common = {
            "build": self.build.name,
            "model": self.model.name,
            "quant": self.quant,
            "engine": s.engine.name,
            "tensor_parallel": s.layout.tp,
            "pipeline_parallel": s.layout.pp,
            "replicas": s.layout.replicas,
            "input": s.input_tokens,
            "output": s.output_tokens,
            "max_users": s.max_users,
            "engine_max_batch": s.engine_cap * s.layout.replicas,
            "fit": "fits" if s.max_users else "none",
        }
        return [
            {
                **common,
                **point(s, n),
                "measured": list(self.measured),
                "assumptions": list(self.assumptions),
                "warnings": list(self.warnings),
            }
            for n in self.users
        ]

    def sweep(self, users: np.ndarray) -> dict[str, np.ndarray]:
        return curve(self.setup, users)


@dataclass
class ServingEstimator:
    estimator: Estimator
    serving: ServingCalibration
    cost_settings: CostSettings = field(default_factory=lambda: CostSettings(hours_per_day=24.0))

    def serve(self, request: dict[str, Any]) -> ServeResult | DataflowAnswer:
        unknown = set(request) - SERVE_KEYS
        if unknown:
            raise InputError(f"unknown option(s): {', '.join(sorted(unknown))}")
        for key in ("model", "quant", "engine"):
            if not request.get(key):
                raise InputError(f"--{key} is required")
        build_keys: dict[str, Any] = {
            k: request[k] for k in ("gpu", "gpus", "preset", "build", "memory_gb") if k in request
        }
        build = self.estimator.build_for(build_keys)
        return self.serve_build(build, request)

    def serve_build(self, build: Build, request: dict[str, Any]) -> ServeResult | DataflowAnswer:
        catalog = self.estimator.catalog
        model = catalog.model(str(request["model"]))
        if build.dataflow is not None:
            return self.dataflow_answer(build, model)
        engine = engine_named(str(request["engine"]))
        check_engine_runs(engine, build.accelerators)
        input_tokens, output_tokens = _tokens(request, "input", 1024), _tokens(request, "output", 256)
        users = parse_users(request.get("users", 1))
        kv_cache = str(request.get("kv_cache") or "f16").lower()
        tp, pp = _positive_or_none(request, "tensor_parallel"), _positive_or_none(request, "pipeline_parallel")
        fmt = serving_format(engine, str(request["quant"]))
        common = (build, model, engine, input_tokens, output_tokens, kv_cache)
        if fmt is None:
            quant = _gguf(catalog, str(request["quant"]))
            setup = llama_cpp_setup(
                *common, quant, tp, pp, self.estimator.calibration, self.serving, self.cost_settings
            )
            quant_name = quant.name
        else:
            top = max((u for u in users if u), default=1)
            setup = gpu_setup(*common, fmt, tp, pp, top, self.serving, self.cost_settings)
            quant_name = fmt.name
        most = min(setup.max_users, setup.batch_cap * setup.layout.replicas)
        resolved = tuple(most if u is None else u for u in users)
        if not setup.max_users:
            raise InputError(
                f"{model.name} {quant_name} does not fit on {build.name} with {engine.name} "
                f"at {input_tokens + output_tokens:,} tokens of context"
            )
        return ServeResult(
            build=build,
            model=model,
            quant=quant_name,
            setup=setup,
            users=resolved,
            measured=tuple(self._measured(build, model, engine.name, quant_name)),
            assumptions=_assumptions(setup, self.cost_settings, kv_cache),
            warnings=_warnings(setup, resolved),
        )

    def dataflow_answer(self, build: Build, model: ModelArch) -> DataflowAnswer:
        return dataflow_answer(self.estimator.catalog, build, model, self.cost_settings)

    def _measured(self, build: Build, model: ModelArch, engine: str, quant: str) -> list[dict[str, Any]]:
        """Public figures for this device, model (or its twins) and GPU count: this engine and
        format first, then the others (labelled), so a vLLM user also sees TensorRT-LLM's."""
        ids = {a.id for a in build.accelerators}
        if len(ids) != 1:
            return []
        twins = set(same_architecture(self.estimator.catalog, model))
        rows = serving_rows(self.estimator.catalog, device_id=ids.pop())
        matching = [r for r in rows if r["model_id"] in twins and r["n_devices"] == build.gpu_count and r["value"]]
        matching.sort(key=lambda r: (r["engine"] != engine or r["format"] != quant, r["row_id"]))
        return [
            {
                "metric": r["metric"],
                "value": r["value"],
                "engine": r["engine"],
                "format": r["format"],
                "concurrency": r["concurrency"] or ("offline" if r["offline"] else None),
                "input": r["input_len"],
                "output": r["output_len"],
                "n_gpus": r["n_devices"],
                "model": r["model_as_printed"],
                "as_printed": f"{r['value_as_printed']} {r['unit_as_printed']}",
                "source": r["source_title"],
                "source_url": r["source_url"],
            }
            for r in matching
        ]


def parse_users(value: Any) -> list[int | None]:
    """`N`, `max` (None: as many as fit) or a list `1,8,32`."""
    items = value if isinstance(value, list) else str(value).split(",")
    out: list[int | None] = []
    for item in items:
        text = str(item).strip().lower()
        if text == "max":
            out.append(None)
            continue
        if not text.isdigit() or not 1 <= int(text) <= MAX_USERS:
            raise InputError(
                f"--users takes whole numbers from 1 to {MAX_USERS:,}, 'max' or a list like 1,8,32; got {item!r}"
            )
        out.append(int(text))
    if not out:
        raise InputError("--users needs at least one value")
    return out


def _tokens(request: dict[str, Any], key: str, default: int) -> int:
    value = request.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1_000_000:
        raise InputError(f"--{key} must be a whole number of tokens from 1 to 1,000,000; got {value!r}")
    return value


def _positive_or_none(request: dict[str, Any], key: str) -> int | None:
    value = request.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"--{key.replace('_', '-')} must be a whole number of at least 1; got {value!r}")
    return value


def _gguf(catalog: Any, name: str) -> Any:
    upper = name.strip().upper()
    if upper in ("FP8", "AWQ", "GPTQ", "NVFP4"):
        raise InputError(f"llama.cpp loads GGUF files, not {upper}; pick a GGUF type such as Q4_K_M, Q8_0 or F16")
    return catalog.quant(name)


def _assumptions(setup: ServingSetup, settings: CostSettings, kv_cache: str) -> tuple[str, ...]:
    p = setup.params
    return (
        f"engine: {setup.engine.name}; memory: {setup.engine.memory_rule}",
        f"layout: tensor parallel {setup.layout.tp} x pipeline parallel {setup.layout.pp} "
        f"x {setup.layout.replicas} replica(s)",
        f"closed-loop users: each sends {setup.input_tokens:,} prompt tokens and reads "
        f"{setup.output_tokens:,} back, then repeats",
        f"KV cache {kv_cache}; engine batch cap {setup.engine_cap} sequences per replica",
        f"decode reaches {p.bw_eff:.0%} of peak bandwidth and {p.compute_eff:.0%} of peak matrix FLOPS "
        f"({p.n_fit} fitted rows)",
        f"cost: hardware over {settings.amortization_years:g} years, {settings.hours_per_day:g} h/day at full load, "
        f"${settings.electricity_usd_per_kwh:.2f}/kWh",
    )


def _warnings(setup: ServingSetup, users: tuple[int, ...]) -> tuple[str, ...]:
    top = max(users)
    cap = setup.batch_cap * setup.layout.replicas
    if top > cap:
        return (
            f"{top} users exceed the {cap} sequences in flight ({setup.max_users} fit in the KV cache): the rest queue",
        )
    return ()
