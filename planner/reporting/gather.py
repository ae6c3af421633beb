"""Run the estimates a sheet needs and turn them into `SheetData` rows (Qt-free)."""

from __future__ import annotations

import datetime
import re
from dataclasses import replace
from itertools import product
from typing import Any

from planner import __version__
from planner.calibration.shipped import load_serving_calibration
from planner.core.cost import CostSettings, power_draw
from planner.core.estimate import Estimate
from planner.core.hardware import Build
from planner.core.llama_settings import LlamaSettings
from planner.core.model import ModelArch
from planner.core.placement import Fit
from planner.core.quant import QuantType
from planner.core.units import GIB
from planner.errors import InputError, PlannerError
from planner.estimation.front import Estimator
from planner.estimation.serving_front import ServingEstimator
from planner.measure.records import THIS_PC, PcMeasurement
from planner.measure.this_pc import measured_entry
from planner.planning.serving_compare import SEED_MODELS, compare, rows_for, verdict
from planner.reporting import bill, chart_data
from planner.reporting.detected import detected_section
from planner.reporting.estimates import estimate_on
from planner.reporting.progress import Steps
from planner.reporting.sheet_data import (
    PAGE_SIZES,
    Charts,
    CostRow,
    CostSummary,
    FitRow,
    Measured,
    SheetData,
    SheetRequest,
)
from planner.reporting.sources import SourceIndex, mark
from planner.resources import serving_calibration_path

TEST_NAME = re.compile(r"^(tg|pp)(\d+)$")


def gather(request: SheetRequest, estimator: Estimator, steps: Steps | None = None) -> SheetData:
    steps = steps or Steps()
    if request.page_size not in PAGE_SIZES:
        raise InputError(f"page size must be one of {', '.join(PAGE_SIZES)}; got {request.page_size!r}")
    if not request.quants or not request.contexts:
        raise InputError("give at least one quant and one context")
    catalog = estimator.catalog
    sources = SourceIndex()
    build = bill.priced_from_catalog(catalog, request.build) if request.detected else request.build
    quants = [catalog.quant(q) for q in dict.fromkeys(request.quants)]
    contexts = tuple(sorted(set(request.contexts)))
    steps.report(2, "choosing models")
    models = _models(estimator, build, request, quants[0], contexts[0])
    parts = bill.part_rows(build, sources)
    results, notes = _table_estimates(estimator, build, models, quants, contexts, steps.span(5, 60))
    if request.detected is not None:
        results = [with_pc_measurements(r, request.detected.measurements) for r in results]
    steps.report(60, "drawing up charts")
    reference = results[0] if results else None
    charts = Charts(
        context_series=chart_data.context_series(estimator, build, models, quants[0], contexts),
        context_label=f"generation tok/s with the context filled ({quants[0].name})",
        memory_bars=chart_data.memory_bars(results),
        memory_label=f"memory at {contexts[-1]:,} tokens of context",
        scatter=chart_data.scatter(estimator, reference, request.preset_id) if reference else (),
        scatter_label=_reference_label(reference),
    )
    steps.report(75, "collecting sources")
    fit_rows = tuple(_fit_row(r, sources) for r in results)
    description, origin = _origin(request, estimator, sources)
    warnings = tuple(dict.fromkeys(w for r in results for w in r.warnings))
    return SheetData(
        title="LLM build sheet",
        build_name=build.name,
        origin=origin,
        date=(request.date or datetime.date.today()).isoformat(),
        app_version=__version__,
        catalog_version=catalog.version,
        page_size=request.page_size,
        description=description,
        parts=parts,
        totals=bill.totals(build),
        power=bill.power_rows(build),
        psu=bill.psu_check(build),
        detected=detected_section(request.detected) if request.detected else None,
        fit_rows=fit_rows,
        cost_rows=tuple(_cost_row(r) for r in results if r.workload.context == contexts[0]),
        cost=_cost_summary(estimator, build),
        charts=charts,
        assumptions=_assumptions(estimator, build, models, results, sources),
        notes=tuple(notes) + warnings,
        sources=sources.entries,
        **_serving_claim(estimator, build, steps),
    )


SHEET_LOADS = (1, 64, 256)


def _serving_claim(estimator: Estimator, build: Build, steps: Steps) -> dict[str, Any]:
    """The article's "8x H200 is more economical per token" claim for a 70B model, with this build first."""
    steps.report(80, "recomputing the serving claim")
    settings = estimator.cost_settings
    serving = ServingEstimator(
        estimator,
        load_serving_calibration(serving_calibration_path()),
        CostSettings(settings.electricity_usd_per_kwh, 24.0, settings.amortization_years),
    )
    model = SEED_MODELS[-1]
    seed = compare(serving, models=(model,), loads=SHEET_LOADS)
    own = (
        [] if build.name in {r.build for r in seed} or build.dataflow else rows_for(serving, build, model, SHEET_LOADS)
    )
    name = estimator.catalog.model_rows[model]["name"]
    return {"serving_rows": tuple(own + seed), "serving_verdict": verdict(seed, model), "serving_model": name}


def _models(
    estimator: Estimator, build: Build, request: SheetRequest, quant: QuantType, context: int
) -> list[ModelArch]:
    catalog = estimator.catalog
    lead = [catalog.model(request.lead_model)] if request.lead_model else []
    if request.models:
        return lead + [m for m in (catalog.model(n) for n in dict.fromkeys(request.models)) if m not in lead]
    runnable = []
    for row in catalog.model_rows.values():  # most popular first
        model = catalog.model(row["id"])
        if quant.applies_to(model) and estimate_on(estimator, build, model, quant, context).fit != Fit.NONE:
            runnable.append(model)
    # The most popular model of each size class the build runs, largest class first (a 48 GB
    # build's sheet should show a 70B, not five 8Bs), then the next most popular overall.
    by_class: dict[int, ModelArch] = {}
    for model in runnable:
        by_class.setdefault(_size_class(model), model)
    chosen = [by_class[c] for c in sorted(by_class, reverse=True)][: request.model_count]
    chosen += [m for m in runnable if m not in chosen][: request.model_count - len(chosen)]
    if lead:
        chosen = [m for m in chosen if m.id != lead[0].id][: max(request.model_count - 1, 0)]
    order = {m.id: i for i, m in enumerate(runnable)}
    return lead + sorted(chosen, key=lambda m: (m.params_total_b, order.get(m.id, 0)))


SIZE_CLASSES_B = (10, 17, 45, 150)  # up to 9B, 10-16B, 17-44B, 45-149B, 150B and up


def _size_class(model: ModelArch) -> int:
    return sum(model.params_total_b >= edge for edge in SIZE_CLASSES_B)


def _table_estimates(
    estimator: Estimator,
    build: Build,
    models: list[ModelArch],
    quants: list[QuantType],
    contexts: tuple[int, ...],
    steps: Steps,
) -> tuple[list[Estimate], list[str]]:
    results, notes = [], []
    combos = list(product(models, quants, contexts))
    for i, (model, quant, context) in enumerate(combos):
        steps.report(100 * i / len(combos), f"estimating {model.name} {quant.name}")
        if not quant.applies_to(model):
            note = f"{model.name} has no {quant.name} files ({quant.name} is for MoE expert tensors): left out"
            notes.append(note) if note not in notes else None
            continue
        results.append(estimate_on(estimator, build, model, quant, context, depth=context))  # the context full
    return results, notes


def _fit_row(result: Estimate, sources: SourceIndex) -> FitRow:
    p = result.placement
    return FitRow(
        model=result.model.name,
        quant=result.quant.name,
        context=result.workload.context,
        fit=p.verdict,
        gpu_layers=p.gpu_layers,
        total_layers=p.total_layers,
        memory_gib=(p.weights_bytes + p.kv_bytes + p.overhead_bytes) / GIB,
        gpu_capacity_gib=p.gpu_capacity_bytes / GIB,
        ram_gib=p.cpu_bytes / GIB,
        decode_tok_s=result.decode_tok_s,
        decode_range=result.decode_range,
        prefill_tok_s=result.prefill_tok_s,
        prefill_range=result.prefill_range,
        measured=_measured(result, sources),
    )


def with_pc_measurements(result: Estimate, measurements: tuple[PcMeasurement, ...]) -> Estimate:
    """On This PC's sheet its own runs of the model and quant take the place of public figures
    of the same kind (generation, prompt processing)."""
    mine = [m for m in measurements if m.model_id == result.model.id and m.quant == result.quant.name]
    mine = [m for m in mine if m.origin == THIS_PC]
    if not mine:
        return result
    kinds = {m.test[:2] for m in mine}
    public = [m for m in result.measured if str(m["test"])[:2] not in kinds]
    return replace(result, measured=(*[measured_entry(m) for m in mine], *public))


def _measured(result: Estimate, sources: SourceIndex) -> tuple[Measured, ...]:
    """The public figures closest to the row's conditions: tgN nearest its context, ppN nearest the prompt."""
    best: dict[str, tuple[int, dict]] = {}
    for m in result.measured:
        found = TEST_NAME.match(str(m["test"]))
        if not found:
            continue
        kind, n = found.group(1), int(found.group(2))
        distance = abs(n - (result.workload.depth if kind == "tg" else result.workload.prompt))
        if kind not in best or distance < best[kind][0]:
            best[kind] = (distance, m)
    return tuple(
        Measured(m["test"], float(m["tokens_per_s"]), sources.cite(m["source_url"]))
        for kind in ("tg", "pp")
        if kind in best
        for m in [best[kind][1]]
    )


def _cost_row(result: Estimate) -> CostRow:
    c = result.cost
    return CostRow(result.model.name, result.quant.name, result.decode_tok_s, c.usd_per_mtok, c.tok_s_per_1000_usd)


def _cost_summary(estimator: Estimator, build: Build) -> CostSummary:
    settings = estimator.cost_settings
    load_w, idle_w = power_draw(build, cpu_busy=False)
    kwh = (load_w * settings.hours_per_day + idle_w * (24 - settings.hours_per_day)) / 1000
    return CostSummary(
        load_w=load_w,
        idle_w=idle_w,
        kwh_per_day=kwh,
        usd_per_day=kwh * settings.electricity_usd_per_kwh,
        usd_per_kwh=settings.electricity_usd_per_kwh,
        hours_per_day=settings.hours_per_day,
        amortization_years=settings.amortization_years,
    )


def _reference_label(reference: Estimate | None) -> str:
    if reference is None:
        return ""
    return f"{reference.model.name} {reference.quant.name}, {reference.workload.context:,} tokens of context"


def _origin(request: SheetRequest, estimator: Estimator, sources: SourceIndex) -> tuple[str, str]:
    if request.preset_id is None:
        # a detected build's notes are the This PC section's; a build file's are the user's own
        return ("" if request.detected else request.build.notes), request.origin
    row = estimator.catalog.preset_rows[request.preset_id]
    cite = mark(sources.cite(row["source_url"]))
    description = " ".join(x for x in (row["description"], row["notes"]) if x)
    return description, f"{request.origin or 'catalog preset'} {cite}".strip()


def _assumptions(
    estimator: Estimator, build: Build, models: list[ModelArch], results: list[Estimate], sources: SourceIndex
) -> tuple[str, ...]:
    settings = estimator.cost_settings
    runtime = [a for a in results[0].assumptions if not a.startswith("KV cache")] if results else []
    kv = results[0].workload.kv_cache if results else "f16"
    notes = [
        *runtime,
        f"KV cache {kv}, allocated for each row's context; the context chart fills it to the context shown",
        "speed ranges are the 10th-90th percentiles of the calibration's cross-validated errors",
        f"electricity ${settings.electricity_usd_per_kwh:.2f}/kWh, generating {settings.hours_per_day:g} h a day "
        f"and idle the rest; hardware written off over {settings.amortization_years:g} years",
        f"PSU check: peak draw (GPUs at board power, CPU at TDP) within {bill.PSU_COMFORT_SHARE:.0%} of the rating",
        'memory in GiB (1 GiB = 1,073,741,824 bytes); GPU memory as the driver reports it (a "16 GB" card '
        "holds 16 GiB); GPU capacity is what remains after the runtime's reserve; memory bars are per GPU",
    ]
    if results:
        try:
            answer = estimator.run_build(
                build, results[0].model.id, results[0].quant.name, results[0].workload,
                LlamaSettings(context=results[0].workload.context, cache_type_k=kv, cache_type_v=kv),
            )  # fmt: skip
            notes.append(f"run it ({results[0].model.name}): {answer.commands.llama_server}")
        except PlannerError:
            pass  # no command for a run that cannot be placed
    catalog = estimator.catalog
    for g in build.gpus:
        a = g.accelerator
        row = catalog.gpu_rows.get(a.id) or catalog.uncurated_rows.get(a.id) or catalog.apple_rows.get(a.id) or {}
        cite = mark(sources.cite(row.get("source_url")))
        notes.append(
            f"{a.name}: {a.memory_gb:g} GB, {a.bandwidth_gbs:,.0f} GB/s, {_tflops(a.fp16_tflops)}, "
            f"{a.power_w:,.0f} W {cite}".rstrip()
        )
    for model in models:
        cite = mark(sources.cite(catalog.model_rows[model.id].get("source_url")))
        notes.append(f"{model.name}: {model.n_layers} layers, {model.max_context:,} tokens max context {cite}".rstrip())
    return tuple(notes)


def _tflops(value: float | None) -> str:
    return f"{value:g} FP16 TFLOPS" if value else "FP16 TFLOPS unknown"
