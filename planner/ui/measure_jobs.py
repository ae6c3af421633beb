"""What the This PC measurements panel runs and stores: llama-bench settings taken from the
planner's workload and estimate, the stored result's one-line summary, the measured-vs-estimated
rows, and CSV export and import."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from planner.core.hardware import Build
from planner.core.workload import Workload
from planner.measure.llama_bench import BenchSettings
from planner.measure.names import resolve_model_id
from planner.measure.ram import RamBandwidth
from planner.measure.records import PcMeasurement
from planner.measure.share import from_csv, read_csv_file, to_csv
from planner.measure.this_pc import estimated_for, tuned_calibration
from planner.reporting.atomic import write_atomically
from planner.ui.measured_model import MeasuredRow
from planner.ui.services import Services
from planner.ui.state import PlannerState


def planner_bench_settings(state: PlannerState, model: Path) -> BenchSettings:
    """The planner's own settings for this run: its prompt, depth and KV cache type, and, when
    the file is the model being estimated, the layers its placement puts on the GPU."""
    workload = state.workload
    gpu_layers = 99
    estimate = state.estimate
    if estimate is not None and resolve_model_id(state.services.catalog, str(model)) == estimate.model.id:
        placement = estimate.placement
        gpu_layers = placement.gpu_layers if placement.gpu_layers < placement.total_layers else 99
    # llama.cpp's own settings (flash attention, experts kept in RAM), where the state carries them
    llama = getattr(state, "settings", None) or workload
    flash = getattr(llama, "flash_attn", None)
    n_cpu_moe = getattr(llama, "n_cpu_moe", None)
    return BenchSettings(
        prompt=workload.prompt, depths=(0, workload.depth) if workload.depth else (0,), gpu_layers=gpu_layers,
        n_cpu_moe=n_cpu_moe if isinstance(n_cpu_moe, int) and n_cpu_moe > 0 else None,
        flash_attn=flash if isinstance(flash, bool) else None,
        cache_type_k=workload.kv_cache, cache_type_v=workload.kv_cache,
    )  # fmt: skip


def store_ram(services: Services, result: RamBandwidth) -> str:
    services.measurements.add_ram(result)
    share = f" ({result.share:.0%} of {result.theoretical_gbs:g} GB/s theoretical)" if result.share else ""
    return f"RAM bandwidth {result.gbs:.1f} GB/s with {result.threads} threads{share}."


def store_run(services: Services, rows: list[PcMeasurement]) -> str:
    """Store one run's results together (a run that failed stored nothing); say what was stored."""
    stored = services.measurements.add_run(rows)
    unresolved = [m.model_label for m in stored if not m.model_id]
    text = f"Stored {len(stored)} measurement{'s' if len(stored) != 1 else ''}."
    if unresolved:
        text += f" {unresolved[0]} is not in the catalog, so it has no estimate to compare with."
    return text


def measured_rows(services: Services, build: Build | None) -> list[MeasuredRow]:
    """Every stored measurement beside the planner's unadjusted estimate for This PC's `build`."""
    facts = services.pc_facts()
    if build is None:
        return [MeasuredRow(m, None) for m in facts.measurements]
    estimator = services.estimator
    tuned = replace(estimator, calibration=tuned_calibration(estimator.calibration, build, facts))
    return [MeasuredRow(m, estimated_for(tuned, build, m, Workload())) for m in facts.measurements]


def export_this_pc(services: Services, target: Path) -> str:
    mine = services.measurements.measurements()
    write_atomically(target, to_csv(mine).encode("utf-8"))
    return f"Wrote {len(mine)} measurements to {target}."


def import_community(services: Services, source: Path) -> str:
    rows = from_csv(read_csv_file(source), services.catalog)
    services.measurements.add_run(rows)
    return f"Imported {len(rows)} community measurements from {source.name}."
