"""The numbers behind the sheet's three charts."""

from __future__ import annotations

from planner.catalog.builds import build_from_spec, preset_spec
from planner.core.estimate import Estimate
from planner.core.hardware import Build
from planner.core.model import ModelArch
from planner.core.placement import Fit
from planner.core.quant import QuantType
from planner.core.units import GIB
from planner.estimation.front import Estimator
from planner.reporting.estimates import estimate_on
from planner.reporting.sheet_data import MemoryBar, ScatterPoint, Series

CONTEXT_POINTS = (1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072)
MIN_CHART_CONTEXT = 32768
MAX_SERIES = 6
MAX_BARS = 10


def context_series(
    estimator: Estimator, build: Build, models: list[ModelArch], quant: QuantType, contexts: tuple[int, ...]
) -> tuple[Series, ...]:
    """Generation speed with the cache filled to each context, until the model stops fitting."""
    top = max(max(contexts), MIN_CHART_CONTEXT)
    series = []
    for model in models[:MAX_SERIES]:
        if not quant.applies_to(model):
            continue
        points = []
        for context in (c for c in CONTEXT_POINTS if c <= min(top, model.max_context)):
            result = estimate_on(estimator, build, model, quant, context, depth=context)
            if result.fit == Fit.NONE or not result.decode_tok_s:
                break
            points.append((float(context), result.decode_tok_s))
        if points:
            series.append(Series(model.name, tuple(points)))
    return tuple(series)


def memory_bar(result: Estimate) -> MemoryBar:
    p = result.placement
    label = f"{result.model.name} {result.quant.name}"
    return MemoryBar(label, p.weights_bytes / GIB, p.kv_bytes / GIB, p.overhead_bytes / GIB, p.gpu_capacity_bytes / GIB)


def device_bars(result: Estimate) -> list[MemoryBar]:
    """One bar per GPU, as llama.cpp's load log lists them (model, KV and compute buffers against
    what the device can hold); the whole model against the GPUs when nothing is on a GPU."""
    devices = result.placement.devices
    if not devices or not any(d.layers for d in devices):
        return [memory_bar(result)]
    base = f"{result.model.name} {result.quant.name}"
    return [
        MemoryBar(
            base if len(devices) == 1 else f"{base} · GPU {i}",
            d.weights_bytes / GIB,
            d.kv_bytes / GIB,
            d.overhead_bytes / GIB,
            d.capacity_bytes / GIB,
        )
        for i, d in enumerate(devices)
    ]


def memory_bars(results: list[Estimate]) -> tuple[MemoryBar, ...]:
    """One bar per model and quant, at the largest context tabulated."""
    largest: dict[tuple[str, str], Estimate] = {}
    for r in results:
        key = (r.model.id, r.quant.name)
        if key not in largest or r.workload.context > largest[key].workload.context:
            largest[key] = r
    bars = [bar for r in largest.values() for bar in device_bars(r)]
    return tuple(bars[:MAX_BARS])


def scatter(estimator: Estimator, reference: Estimate, own_preset: str | None) -> tuple[ScatterPoint, ...]:
    """The build and every preset: price against generation speed of the reference model."""
    points = []
    if reference.cost.hardware_usd and reference.decode_tok_s:
        points.append(ScatterPoint(reference.build.name, reference.cost.hardware_usd, reference.decode_tok_s, True))
    catalog = estimator.catalog
    for preset_id, row in catalog.preset_rows.items():
        if preset_id == own_preset:
            continue
        build = build_from_spec(catalog, preset_spec(catalog, row["name"]))
        if build.dataflow is not None:
            continue  # vendor figures, not a llama.cpp estimate: see the serving section
        result = estimate_on(
            estimator, build, reference.model, reference.quant, reference.workload.context, reference.workload.depth
        )
        if result.fit != Fit.NONE and result.cost.hardware_usd and result.decode_tok_s:
            points.append(ScatterPoint(row["name"], result.cost.hardware_usd, result.decode_tok_s))
    return tuple(points)
