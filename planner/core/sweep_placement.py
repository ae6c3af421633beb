"""planner.core.placement.place() for a whole grid of cells at once.

Devices are few, so they stay a leading axis of length D (a Python loop where llama.cpp's
rules go device by device); the cells are numpy arrays. Each step repeats place()'s
arithmetic in the same order, so verdicts and layer counts match it exactly, even where a
layer only just fits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.core.calibration import Calibration
from planner.core.hardware import Accelerator, Build
from planner.core.placement import FIT_CPU, FIT_GPU, FIT_NONE, FIT_PARTIAL, OS_RAM_SHARE, device_capacity_bytes
from planner.core.sweep_grid import FloatArray, Grid, IntArray
from planner.core.units import GB
from planner.core.workload import Workload

FITS = (FIT_GPU, FIT_PARTIAL, FIT_CPU, FIT_NONE)  # GridPlacement.verdict holds indexes into this
GPU_CODE, PARTIAL_CODE, CPU_CODE, NONE_CODE = range(len(FITS))
MAX_ROOM = 2**40  # far above any layer count; keeps the int64 cast defined when a layer weighs ~0

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class GridPlacement:
    """place()'s answer for every cell. `layers` has a leading device axis: (D, M, Q, C)."""

    accelerators: tuple[Accelerator, ...]
    verdict: npt.NDArray[np.int8]
    layers: IntArray
    output_on_gpu: BoolArray
    overhead_bytes: FloatArray
    cpu_bytes: FloatArray  # weights + KV held in system RAM

    @property
    def gpu_layers(self) -> IntArray:
        return self.layers.sum(axis=0)

    @property
    def used_devices(self) -> IntArray:
        return np.count_nonzero(self.layers, axis=0)


def place_grid(build: Build, grid: Grid, workload: Workload, calibration: Calibration, backend: str) -> GridPlacement:
    n_layers = grid.n_layers
    kv_per_layer = grid.kv_bytes / n_layers
    per_layer = grid.layer_bytes + kv_per_layer
    compute = grid.compute_bytes
    accelerators = tuple(build.accelerators) if backend != "cpu" else ()
    caps = [device_capacity_bytes(a, workload, calibration, backend) for a in accelerators]
    shape = (len(caps), *per_layer.shape)

    room = np.empty(shape, dtype=np.int64)
    for i, cap in enumerate(caps):
        room[i] = np.clip(np.floor_divide(cap - compute, per_layer), 0, MAX_ROOM)
    # placement.place: the output layer goes on the last GPU, only with every layer on a GPU.
    output_fits = np.zeros(per_layer.shape, dtype=np.bool_)
    usable = room.copy()
    if caps:
        spare = caps[-1] - compute - grid.output_bytes
        room_with_output = np.clip(np.floor_divide(spare, per_layer), 0, MAX_ROOM).astype(np.int64)
        output_fits = (spare >= 0) & (room[:-1].sum(axis=0) + room_with_output >= n_layers)
        usable[-1] = np.where(output_fits, room_with_output, room[-1])
    layers = _spread(usable, n_layers)
    on_gpu = layers.sum(axis=0)
    output_on_gpu = output_fits

    cpu_layers = n_layers - on_gpu
    cpu_bytes = grid.embedding_bytes + cpu_layers * per_layer
    cpu_bytes = np.where(output_on_gpu, cpu_bytes, cpu_bytes + grid.output_bytes)
    ram_cap = _ram_capacity(build, grid, layers, output_on_gpu, kv_per_layer)
    ram_needed = cpu_bytes + np.where(on_gpu == 0, compute, 0.0)
    on_cpu_code = np.where(ram_needed > ram_cap, NONE_CODE, np.where(on_gpu > 0, PARTIAL_CODE, CPU_CODE))
    verdict = np.where((on_gpu == n_layers) & output_on_gpu, GPU_CODE, on_cpu_code).astype(np.int8)
    return GridPlacement(
        accelerators=accelerators,
        verdict=verdict,
        layers=layers,
        output_on_gpu=output_on_gpu,
        overhead_bytes=compute * np.maximum(np.count_nonzero(layers, axis=0), 1),
        cpu_bytes=cpu_bytes,
    )


def _spread(usable: IntArray, n_layers: IntArray) -> IntArray:
    """placement._spread per cell: layers in proportion to room, the remainder by largest share."""
    total_room = usable.sum(axis=0)
    over = total_room > n_layers
    if not over.any():
        return usable
    share = (n_layers * usable) / np.where(over, total_room, 1)
    layers = np.minimum(np.floor(share).astype(np.int64), usable)
    leftover = n_layers - layers.sum(axis=0)
    order = np.argsort(layers - share, axis=0, kind="stable")
    for _ in range(2):
        for rank in range(len(usable)):
            device = order[rank : rank + 1]
            current = np.take_along_axis(layers, device, axis=0)
            step = (leftover != 0) & (current < np.take_along_axis(usable, device, axis=0))
            np.put_along_axis(layers, device, current + step, axis=0)
            leftover = leftover - step[0]
    return np.where(over, layers, usable)


def _ram_capacity(
    build: Build, grid: Grid, layers: IntArray, output_on_gpu: BoolArray, kv_per_layer: FloatArray
) -> FloatArray | float:
    ram = build.ram_gb * GB * OS_RAM_SHARE
    if not build.is_unified or not len(layers):
        return max(ram, 0.0)
    last = len(layers) - 1
    used: FloatArray | float = 0.0
    for i, on_device in enumerate(layers):
        weights = on_device * grid.layer_bytes
        if i == last:
            weights = weights + np.where(output_on_gpu, grid.output_bytes, 0.0)
        overhead = np.where(on_device > 0, grid.compute_bytes, 0.0)
        used = used + (weights + on_device * kv_per_layer + overhead)
    return np.maximum(ram - used, 0.0)
