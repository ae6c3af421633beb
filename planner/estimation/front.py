"""Estimates from names: resolve a request against the catalog, run the engine, add
the public measurements of the same hardware, model and quant."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from planner.catalog.builds import build_from_spec, load_build_file, preset_spec
from planner.catalog.store import Catalog
from planner.core.calibration import Calibration
from planner.core.cost import CostSettings
from planner.core.estimate import Estimate, estimate
from planner.core.hardware import Build
from planner.core.llama_settings import LlamaSettings
from planner.core.memory import weight_layout
from planner.core.model import ModelArch
from planner.core.quant import QuantType
from planner.core.workload import DEFAULT_CONTEXT, Workload
from planner.errors import InputError
from planner.estimation.dataflow_front import NotRooflined, dataflow_answer
from planner.estimation.request_checks import validate_request
from planner.estimation.run_answer import (
    ModelNames,
    RunAnswer,
    build_with_ram,
    commands_for,
    quant_with_file_size,
    resolve_settings,
)
from planner.estimation.settings_request import SETTINGS_KEYS, settings_for

REQUEST_KEYS = {
    "gpu", "gpus", "split", "backend", "cpu", "ram_gb", "memory_gb", "model", "quant",
    "context", "depth", "prompt", "kv_cache", "preset", "build", "gpu_memory_fraction", "prices",
} | SETTINGS_KEYS  # fmt: skip


@dataclass
class Estimator:
    """Catalog + calibration + cost settings: everything an estimate needs."""

    catalog: Catalog
    calibration: Calibration
    cost_settings: CostSettings = field(default_factory=CostSettings)

    def build_for(self, request: dict[str, Any]) -> Build:
        sources = [k for k in ("gpu", "preset", "build") if request.get(k)]
        if len(sources) > 1:
            raise InputError("give only one of --gpu, --preset and --build")
        if request.get("preset"):
            spec = preset_spec(self.catalog, request["preset"])
        elif request.get("build"):
            build = request["build"]
            spec = build if isinstance(build, dict) else load_build_file(Path(build))
        else:
            spec = self._spec_from_flags(request)
        return build_from_spec(self.catalog, spec)

    def _spec_from_flags(self, request: dict[str, Any]) -> dict[str, Any]:
        spec: dict[str, Any] = {"name": "Custom build"}
        if request.get("gpu"):
            count = request.get("gpus", 1)
            if not isinstance(count, int) or count < 1:
                raise InputError(f"--gpus must be a whole number of at least 1; got {count!r}")
            device_id = self.catalog.resolve_device(request["gpu"])
            if self.catalog.is_apple(device_id):
                spec["apple_chip"] = device_id
                spec["unified_memory_gb"] = request.get("memory_gb")
            else:
                spec["gpus"] = [{"gpu": device_id, "count": count, "price_kind": request.get("prices") or "used"}]
                spec["split"] = request.get("split") or "layer"
            spec["name"] = self.catalog.device_row(device_id)["name"] + (f" x{count}" if count > 1 else "")
        if request.get("cpu"):
            spec["cpu"] = request["cpu"]
        if request.get("ram_gb") is not None:
            spec["ram_gb"] = request["ram_gb"]
        return spec

    def workload_for(self, request: dict[str, Any]) -> Workload:
        settings = settings_for(request)
        return Workload(
            context=_int(request, "context", DEFAULT_CONTEXT),
            depth=_int(request, "depth", 0),
            prompt=_int(request, "prompt", 512),
            kv_cache=settings.cache_type_k if settings.cache_type_k == settings.cache_type_v else "f16",
            cache_type_k=settings.cache_type_k,
            cache_type_v=settings.cache_type_v,
            flash_attn=settings.flash_attn,
            backend=request.get("backend"),
            n_ubatch=settings.ubatch_effective,
            gpu_memory_fraction=request.get("gpu_memory_fraction"),
        )

    def estimate(self, request: dict[str, Any]) -> Estimate:
        return self.run(request).estimate

    def run(self, request: dict[str, Any]) -> RunAnswer:
        """The estimate for a request with llama.cpp's settings, and the commands that run it."""
        unknown = set(request) - REQUEST_KEYS
        if unknown:
            raise InputError(f"unknown option(s): {', '.join(sorted(str(k)[:40] for k in unknown)[:10])}")
        validate_request(request)
        for key in ("model", "quant"):
            if not request.get(key):
                raise InputError(f"--{key} is required")
        build = build_with_ram(self.build_for(request), request.get("ram_mts"), request.get("ram_channels"))
        if not build.gpus and not build.dataflow and request.get("backend") not in (None, "cpu"):
            raise InputError("this build has no GPU; use --backend cpu or add a GPU")
        settings = settings_for(request)
        file_size = request.get("file_size_gib")
        workload = self.workload_for(request)
        return self.run_build(build, request["model"], request["quant"], workload, settings, file_size)

    def run_build(
        self,
        build: Build,
        model_name: str,
        quant_name: str,
        workload: Workload,
        settings: LlamaSettings,
        file_size_gib: float | None = None,
    ) -> RunAnswer:
        """An assembled build run with `settings` (the app's path): estimate, resolved settings
        and the commands. The settings' context, u-batch and cache types drive the workload."""
        model = self.catalog.model(model_name)
        if build.dataflow is not None:
            raise NotRooflined(dataflow_answer(self.catalog, build, model, self.cost_settings))
        quant = self.resolved_quant(model, quant_name, file_size_gib)
        result = _with_measurements(self.catalog, self.estimate_settings(build, model, quant, workload, settings))
        names = ModelNames.from_catalog_row(self.catalog.model_rows[model.id], self.catalog.quant(quant_name).name)
        resolved = resolve_settings(settings, result)
        return RunAnswer(
            estimate=result,
            settings=resolved,
            commands=commands_for(resolved, names, self._ollama_layers(build, model, quant, workload, settings)),
        )

    def _ollama_layers(
        self, build: Build, model: ModelArch, quant: QuantType, workload: Workload, settings: LlamaSettings
    ) -> int | None:
        """Whole layers on the GPU as Ollama would place them (it cannot keep experts in RAM);
        None when everything fits."""
        whole = replace(settings, n_cpu_moe=0, cpu_moe=False, gpu_layers=None)
        placement = self.estimate_settings(build, model, quant, workload, whole, with_max_context=False).placement
        return None if placement.verdict == "gpu" else placement.gpu_layers

    def estimate_settings(
        self,
        build: Build,
        model: ModelArch,
        quant: QuantType,
        workload: Workload,
        settings: LlamaSettings,
        with_max_context: bool = True,
    ) -> Estimate:
        """The engine alone on resolved objects (the settings search calls this many times)."""
        settings.check_for_model(model.n_layers, model.is_moe, build.gpu_count)
        workload = Workload.from_settings(
            settings,
            depth=workload.depth,
            prompt=workload.prompt,
            backend=workload.backend,
            gpu_memory_fraction=workload.gpu_memory_fraction,
        )
        return estimate(build, model, quant, workload, self.calibration, self.cost_settings, with_max_context)

    def resolved_quant(self, model: ModelArch, quant_name: str, file_size_gib: float | None = None) -> QuantType:
        quant = self.catalog.quant(quant_name)
        if file_size_gib is not None:
            quant = quant_with_file_size(quant, weight_layout(model, quant).total_bytes, file_size_gib)
        if not quant.applies_to(model):
            raise InputError(quant.not_applicable(model))
        return quant

    def estimate_build(
        self,
        build: Build,
        model_name: str,
        quant_name: str,
        workload: Workload,
        with_max_context: bool = True,
        file_size_gib: float | None = None,
    ) -> Estimate:
        """Estimate an already-assembled build (the app's path: no name resolution for it)."""
        model = self.catalog.model(model_name)
        if build.dataflow is not None:
            raise NotRooflined(dataflow_answer(self.catalog, build, model, self.cost_settings))
        quant = self.resolved_quant(model, quant_name, file_size_gib)
        result = estimate(build, model, quant, workload, self.calibration, self.cost_settings, with_max_context)
        return _with_measurements(self.catalog, result)


def _int(request: dict[str, Any], key: str, default: int) -> int:
    value = request.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"--{key} must be a whole number; got {value!r}")
    return value


def _with_measurements(catalog: Catalog, result: Estimate) -> Estimate:
    build = result.build
    if len({g.accelerator.id for g in build.gpus}) != 1:
        return result
    device_id = build.gpus[0].accelerator.id
    rows = catalog.measurements(device_id, result.model.id, result.quant.name, build.gpu_count)
    measured = tuple(
        {
            "test": r["test"],
            "tokens_per_s": r["tokens_per_s"],
            "backend": r["backend"],
            "quality": r["quality"],
            "hardware": r["hardware"],
            "source_url": r["source_url"],
        }
        for r in rows
        if r["quality"] in ("A", "C") or not any(x["quality"] in ("A", "C") for x in rows)
    )
    return replace(result, measured=measured)
