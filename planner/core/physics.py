"""The speed model, once: memory, placement and decode/prefill time for a grid of cells.

    grid       = make_grid(...)          planner.core.memory + grid: bytes and FLOPs
    placement  = place(build, grid, ...) planner.core.placement: layers per device, verdict
    terms      = decode_terms(...)       planner.core.speed: physical terms
    seconds    = sum(term x coefficient) planner.core.calibration: the coefficients

`run()` does all four for every cell of a grid on one build. The "what can it run" table
(`sweep()`) is a run over many cells (`run_grid`); `estimate()` is a run over one cell
(`run_one`) plus its extras (cost, notes, per-device loads); the calibration fit takes one
cell's terms. Where to add a new term:

    memory (bytes held or read)    planner.core.memory, carried on the Grid (planner.core.grid)
    placement (where bytes go)     planner.core.placement.place
    decode / prefill time          planner.core.speed.decode_terms / prefill_terms, with a
                                   prior in planner.core.calibration (the fit learns it)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from planner.core import cells
from planner.core.calibration import BackendParams, Calibration
from planner.core.cells import Cells
from planner.core.grid import Grid, make_grid, one_cell
from planner.core.hardware import BACKENDS, Backend, Build
from planner.core.model import ModelArch
from planner.core.placement import NONE_CODE, GridPlacement, place
from planner.core.quant import QuantType
from planner.core.speed import Terms, decode_terms, prefill_terms, seconds
from planner.core.workload import Workload
from planner.errors import InputError


def choose_backend(build: Build, requested: str | None) -> Backend:
    """The requested backend, or llama.cpp's natural one: the GPUs' own, Vulkan for a mix
    of vendors, the CPU without GPUs."""
    if requested:
        if requested not in BACKENDS:
            raise InputError(f"unknown backend {requested!r}; choose one of {', '.join(BACKENDS)}")
        return Backend(requested)
    vendors = {g.accelerator.vendor for g in build.gpus}
    if not vendors:
        return Backend.CPU
    if len(vendors) > 1:
        return Backend.VULKAN
    return build.gpus[0].accelerator.native_backend


def check_build(build: Build) -> None:
    if build.nodes < 1 or any(g.count < 1 for g in build.gpus):
        raise InputError("a build needs at least 1 node and at least 1 of each GPU it lists")
    if build.ram_gb <= 0:
        raise InputError(f"system RAM must be more than 0 GB; got {build.ram_gb}")


@dataclass(frozen=True)
class Run:
    """Everything the model computed for a grid of cells. Speeds are NaN where nothing runs."""

    backend: Backend
    params: BackendParams
    grid: Grid
    placement: GridPlacement
    decode_terms: Terms
    prefill_terms: Terms
    decode_tok_s: Cells
    prefill_tok_s: Cells
    decode_range: tuple[Cells, Cells]  # 10th-90th percentile (low, high) tokens/s
    prefill_range: tuple[Cells, Cells]


def run(build: Build, grid: Grid, calibration: Calibration) -> Run:
    """Fit and speed of every cell of `grid` on `build` (see `make_grid` and `one_cell`)."""
    check_build(build)
    backend = choose_backend(build, grid.workload.backend)
    params = calibration.backend(backend)
    # Cells where nothing is placed divide by zero on the way; their speeds are masked below.
    with np.errstate(all="ignore"):
        placement = place(build, grid, calibration, backend)
        decode = decode_terms(build, grid, placement, calibration)
        prefill = prefill_terms(build, grid, placement, calibration)
        decode_tok_s = 1.0 / seconds(decode, params.decode_coef(), grid.quants)
        prefill_tok_s = grid.workload.prompt / seconds(prefill, params.prefill_coef(), grid.quants)
    runs = placement.verdict != NONE_CODE
    decode_tok_s = cells.where(runs, decode_tok_s, np.nan)
    prefill_tok_s = cells.where(runs, prefill_tok_s, np.nan)
    decode_low, decode_high = _band(params, "decode", grid)
    prefill_low, prefill_high = _band(params, "prefill", grid)
    return Run(
        backend=backend,
        params=params,
        grid=grid,
        placement=placement,
        decode_terms=decode,
        prefill_terms=prefill,
        decode_tok_s=decode_tok_s,
        prefill_tok_s=prefill_tok_s,
        decode_range=(decode_tok_s * decode_low, decode_tok_s * decode_high),
        prefill_range=(prefill_tok_s * prefill_low, prefill_tok_s * prefill_high),
    )


def _band(params: BackendParams, kind: str, grid: Grid) -> tuple[Cells, Cells]:
    """Each quant's measured/estimated band (wider where its coefficient is a prior)."""
    bands = [params.band(kind, q.family) for q in grid.quants]
    if len(bands) == 1:
        return bands[0]
    return grid.per_quant([b[0] for b in bands]), grid.per_quant([b[1] for b in bands])


def run_grid(
    build: Build,
    models: Sequence[ModelArch],
    quants: Sequence[QuantType],
    contexts: Sequence[int],
    depths: Sequence[int],
    workload: Workload,
    calibration: Calibration,
) -> Run:
    """`run` over every model x quant x context; `depths[i]` goes with `contexts[i]`. The
    workload's own context and depth are not used."""
    check_build(build)
    return run(build, make_grid(models, quants, contexts, depths, workload), calibration)


def run_one(build: Build, model: ModelArch, quant: QuantType, workload: Workload, calibration: Calibration) -> Run:
    """`run` over the single cell the workload describes (its context and depth)."""
    check_build(build)
    return run(build, one_cell(model, quant, workload.context, workload.depth, workload), calibration)
