"""The "what can this build run" table: every model x quant x context for one build, at once.

`sweep()` gives, per cell, what `planner.core.estimate.estimate()` gives for that model,
quant and `cell_workload(workload, context)`: fit verdict, GPU layers, memory, decode and
prefill speed with their ranges: both are the same `planner.core.physics.run()`, here
over every cell at once (see scripts/bench_sweep.py), there over one. The sweep leaves out
the per-cell extras (cost, max context on GPU, notes) that the table does not show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from planner.core.calibration import PRIORS, Calibration
from planner.core.grid import FloatArray, IntArray
from planner.core.hardware import Build
from planner.core.model import ModelArch
from planner.core.physics import run_grid
from planner.core.placement import FITS, NONE_CODE, Fit
from planner.core.quant import QuantType
from planner.core.workload import Workload

__all__ = ["FITS", "Sweep", "SweepCell", "cell_workload", "decode_depth", "sweep"]


def decode_depth(workload: Workload, context: int) -> int:
    """The table's depth rule: the workload's depth, capped at the context (the cache holds no more)."""
    return min(workload.depth, context)


def cell_workload(workload: Workload, context: int) -> Workload:
    """The workload one cell stands for: `estimate()` with it gives the cell's numbers."""
    return replace(workload, context=context, depth=decode_depth(workload, context))


@dataclass(frozen=True)
class SweepCell:
    fit: Fit
    gpu_layers: int
    total_layers: int
    weights_bytes: float
    kv_bytes: float
    overhead_bytes: float
    ram_needed_bytes: float
    decode_tok_s: float | None
    decode_range: tuple[float, float] | None
    prefill_tok_s: float | None
    prefill_range: tuple[float, float] | None

    @property
    def total_bytes(self) -> float:
        return self.weights_bytes + self.kv_bytes + self.overhead_bytes


@dataclass(frozen=True)
class Sweep:
    """Arrays indexed [model, quant, context]; speeds are NaN where the fit is "none"."""

    models: tuple[ModelArch, ...]
    quants: tuple[QuantType, ...]
    contexts: tuple[int, ...]
    depths: tuple[int, ...]
    backend: str
    fit: np.ndarray  # int8 indexes into FITS
    gpu_layers: IntArray
    weights_bytes: FloatArray
    kv_bytes: FloatArray
    overhead_bytes: FloatArray
    ram_needed_bytes: FloatArray  # weights + KV held in system RAM
    decode_tok_s: FloatArray
    decode_low: FloatArray
    decode_high: FloatArray
    prefill_tok_s: FloatArray
    prefill_low: FloatArray
    prefill_high: FloatArray

    @property
    def shape(self) -> tuple[int, int, int]:
        return len(self.models), len(self.quants), len(self.contexts)

    @property
    def total_bytes(self) -> FloatArray:
        return self.weights_bytes + self.kv_bytes + self.overhead_bytes

    def fit_name(self, m: int, q: int, c: int) -> Fit:
        return FITS[int(self.fit[m, q, c])]

    def cell(self, m: int, q: int, c: int) -> SweepCell:
        runs = self.fit[m, q, c] != NONE_CODE
        prompt_known = runs and bool(np.isfinite(self.prefill_tok_s[m, q, c]))  # NaN: a GPU's compute is unknown
        return SweepCell(
            fit=self.fit_name(m, q, c),
            gpu_layers=int(self.gpu_layers[m, q, c]),
            total_layers=self.models[m].n_layers,
            weights_bytes=float(self.weights_bytes[m, q, c]),
            kv_bytes=float(self.kv_bytes[m, q, c]),
            overhead_bytes=float(self.overhead_bytes[m, q, c]),
            ram_needed_bytes=float(self.ram_needed_bytes[m, q, c]),
            decode_tok_s=float(self.decode_tok_s[m, q, c]) if runs else None,
            decode_range=(float(self.decode_low[m, q, c]), float(self.decode_high[m, q, c])) if runs else None,
            prefill_tok_s=float(self.prefill_tok_s[m, q, c]) if prompt_known else None,
            prefill_range=(
                (float(self.prefill_low[m, q, c]), float(self.prefill_high[m, q, c])) if prompt_known else None
            ),
        )


def sweep(
    build: Build,
    models: Sequence[ModelArch],
    quants: Sequence[QuantType],
    contexts: Sequence[int],
    workload: Workload,
    calibration: Calibration = PRIORS,
) -> Sweep:
    """Fit and speed of every model x quant x context on `build`.

    `workload` is the template: its KV-cache type, depth (capped per context by
    `decode_depth`), prompt, backend and unified-memory share apply to every cell; its
    own `context` is ignored.
    """
    contexts = [cell_workload(workload, c).context for c in contexts]
    depths = [decode_depth(workload, c) for c in contexts]
    result = run_grid(build, models, quants, contexts, depths, workload, calibration)
    placement, shape = result.placement, result.grid.shape
    decode, prefill = result.decode_tok_s, result.prefill_tok_s
    return Sweep(
        models=result.grid.models,
        quants=result.grid.quants,
        contexts=tuple(contexts),
        depths=tuple(depths),
        backend=result.backend,
        fit=placement.verdict,
        gpu_layers=placement.gpu_layers,
        weights_bytes=np.broadcast_to(result.grid.layout.total_bytes, shape),
        kv_bytes=np.broadcast_to(result.grid.kv_bytes, shape),
        overhead_bytes=np.broadcast_to(placement.overhead_bytes, shape),
        ram_needed_bytes=placement.cpu_bytes,
        decode_tok_s=decode,
        decode_low=result.decode_range[0],
        decode_high=result.decode_range[1],
        prefill_tok_s=prefill,
        prefill_low=result.prefill_range[0],
        prefill_high=result.prefill_range[1],
    )
