"""Where the layers go: how many fit on each GPU, what spills to system RAM, and the verdict.

`place()` is the one placement rule, for one cell or a whole grid of cells at once
(planner.core.cells). Devices are few, so they are a Python list (a loop where llama.cpp's
rules go device by device); the cells are numbers or numpy arrays. `Placement` is the
view of one cell that `estimate()` reports, with a `DeviceLoad` per accelerator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.core import cells
from planner.core.calibration import Calibration
from planner.core.cells import Cells
from planner.core.grid import Grid
from planner.core.hardware import Accelerator, Build
from planner.core.units import GB, GIB
from planner.core.workload import Workload

FIT_GPU, FIT_PARTIAL, FIT_CPU, FIT_NONE = "gpu", "partial", "cpu", "none"
FITS = (FIT_GPU, FIT_PARTIAL, FIT_CPU, FIT_NONE)  # GridPlacement.verdict holds indexes into this
GPU_CODE, PARTIAL_CODE, CPU_CODE, NONE_CODE = range(len(FITS))
OS_RAM_SHARE = 0.9  # share of system RAM the runtime may use; the OS keeps the rest


def default_gpu_fraction(accelerator: Accelerator) -> float:
    """Share of unified memory the GPU may wire by default.

    macOS lets the GPU use about 2/3 of unified memory up to 32 GB and 3/4 above
    (iogpu.wired_limit_mb overrides it); other unified APUs get the same default here.
    """
    return 2 / 3 if accelerator.memory_gb <= 32 else 0.75


def device_capacity_bytes(acc: Accelerator, workload: Workload, calibration: Calibration, backend: str) -> float:
    if acc.unified:
        share = workload.gpu_memory_fraction or default_gpu_fraction(acc)
        return acc.memory_gb * GB * share
    return max(acc.memory_gb * GB - calibration.backend(backend).reserve_gib * GIB, 0.0)


@dataclass(frozen=True)
class GridPlacement:
    """The placement of every cell. Per-device values are lists, one entry per accelerator."""

    accelerators: tuple[Accelerator, ...]
    capacity_bytes: tuple[float, ...]
    verdict: Cells  # int8 indexes into FITS
    layers: list[Cells]
    gpu_layers: Cells
    used_devices: Cells
    output_on_gpu: Cells
    device_weights_bytes: list[Cells]
    device_kv_bytes: list[Cells]
    device_overhead_bytes: list[Cells]
    overhead_bytes: Cells
    cpu_bytes: Cells  # weights + KV held in system RAM
    ram_capacity_bytes: Cells


def place(build: Build, grid: Grid, calibration: Calibration, backend: str) -> GridPlacement:
    """llama.cpp-style placement: as many whole layers on the GPUs as fit (split in
    proportion to what each device can hold), the output layer on the GPU only when every
    layer is there, the token embedding in system RAM."""
    layout = grid.layout
    n_layers = grid.n_layers
    kv_per_layer = grid.kv_bytes / n_layers
    per_layer = layout.layer_bytes + kv_per_layer
    compute = grid.compute_bytes
    accelerators = tuple(build.accelerators) if backend != "cpu" else ()
    caps = tuple(device_capacity_bytes(a, grid.workload, calibration, backend) for a in accelerators)
    last = len(caps) - 1
    usable, output_on_gpu = gpu_room(grid, caps)
    layers = spread(usable, n_layers)
    on_gpu = cells.total(layers, per_layer, np.int64)

    device_weights = [n * layout.layer_bytes for n in layers]
    if caps:
        device_weights[last] = device_weights[last] + cells.where(output_on_gpu, layout.output_bytes, 0.0)
    device_kv = [n * kv_per_layer for n in layers]
    device_overhead = [cells.where(n > 0, compute, 0.0) for n in layers]
    used_devices = cells.count_true([n > 0 for n in layers], per_layer)

    cpu_layers = n_layers - on_gpu
    cpu_bytes = layout.embedding_bytes + cpu_layers * per_layer
    cpu_bytes = cells.where(output_on_gpu, cpu_bytes, cpu_bytes + layout.output_bytes)
    ram_cap = cells.zeros(per_layer, np.float64) + build.ram_gb * GB * OS_RAM_SHARE
    if build.is_unified:
        ram_cap = ram_cap - cells.total([*device_weights, *device_kv, *device_overhead], per_layer)
    ram_cap = cells.maximum(ram_cap, 0.0)
    ram_needed = cpu_bytes + cells.where(on_gpu == 0, compute, 0.0)
    on_cpu = cells.where(ram_needed > ram_cap, NONE_CODE, cells.where(on_gpu > 0, PARTIAL_CODE, CPU_CODE))
    verdict = cells.where((on_gpu == n_layers) & output_on_gpu, GPU_CODE, on_cpu)
    return GridPlacement(
        accelerators=accelerators,
        capacity_bytes=caps,
        verdict=verdict.astype(np.int8) if cells.is_grid(verdict) else np.int8(verdict),
        layers=layers,
        gpu_layers=on_gpu,
        used_devices=used_devices,
        output_on_gpu=output_on_gpu,
        device_weights_bytes=device_weights,
        device_kv_bytes=device_kv,
        device_overhead_bytes=device_overhead,
        overhead_bytes=compute * cells.maximum(used_devices, 1),
        cpu_bytes=cpu_bytes,
        ram_capacity_bytes=ram_cap,
    )


def gpu_room(grid: Grid, caps: tuple[float, ...]) -> tuple[list[Cells], Cells]:
    """Whole layers each GPU can hold, and whether the model fits on the GPUs entirely.

    The output layer goes on the last GPU, and only when every layer is on a GPU too; then
    that GPU's room is what is left beside the output layer.
    """
    per_layer = grid.layout.layer_bytes + grid.kv_bytes / grid.n_layers
    compute = grid.compute_bytes
    usable = [cells.whole_layers(cap - compute, per_layer) for cap in caps]
    if not caps:
        return usable, cells.zeros(per_layer, np.bool_)
    last = len(caps) - 1
    spare = caps[last] - compute - grid.layout.output_bytes
    room_with_output = cells.whole_layers(spare, per_layer)
    others = cells.total(usable[:last], per_layer, np.int64)
    fits = (spare >= 0) & (others + room_with_output >= grid.n_layers)
    usable[last] = cells.where(fits, room_with_output, usable[last])
    return usable, fits


def spread(usable: list[Cells], n_layers: Cells) -> list[Cells]:
    """Layers per device in proportion to each device's room, never above it; the
    remainder goes one by one to the largest fractional shares (two rounds)."""
    if len(usable) <= 1:
        return [cells.minimum(room, n_layers) for room in usable]
    room = np.stack(np.broadcast_arrays(*usable))  # (devices, ...cells)
    total_room = room.sum(axis=0)
    over = total_room > n_layers
    if not over.any():
        return usable
    share = (n_layers * room) / np.where(over, total_room, 1)
    layers = np.minimum(np.floor(share).astype(np.int64), room)
    leftover = n_layers - layers.sum(axis=0)
    order = np.argsort(layers - share, axis=0, kind="stable")  # largest fractional share first
    rank = np.argsort(order, axis=0, kind="stable")
    for _ in range(2):
        # Walking the devices in `order`, each one with room left takes a layer while any remain.
        room_left = layers < room
        before = np.take_along_axis(np.cumsum(np.take_along_axis(room_left, order, axis=0), axis=0), rank, axis=0)
        step = room_left & (before - room_left < leftover)
        layers = layers + step
        leftover = leftover - step.sum(axis=0)
    return list(np.where(over, layers, room))


@dataclass(frozen=True)
class DeviceLoad:
    """One accelerator's share of the model and its memory."""

    accelerator: Accelerator
    layers: int
    weights_bytes: float
    kv_bytes: float
    overhead_bytes: float
    capacity_bytes: float
    holds_output: bool

    @property
    def used_bytes(self) -> float:
        return self.weights_bytes + self.kv_bytes + self.overhead_bytes


@dataclass(frozen=True)
class Placement:
    """One cell of a `GridPlacement`, with its per-device loads."""

    verdict: str
    devices: tuple[DeviceLoad, ...]
    cpu_layers: int
    total_layers: int
    output_on_gpu: bool
    weights_bytes: float
    kv_bytes: float
    overhead_bytes: float
    cpu_bytes: float  # weights + KV held in system RAM
    ram_capacity_bytes: float

    @property
    def gpu_layers(self) -> int:
        return sum(d.layers for d in self.devices)

    @property
    def gpu_capacity_bytes(self) -> float:
        return sum(d.capacity_bytes for d in self.devices)


def placement_at(grid: Grid, placement: GridPlacement) -> Placement:
    """The placement of a one-cell grid, device by device."""
    last = len(placement.accelerators) - 1
    output_on_gpu = bool(placement.output_on_gpu)
    devices = tuple(
        DeviceLoad(
            accelerator=acc,
            layers=int(placement.layers[i]),
            weights_bytes=float(placement.device_weights_bytes[i]),
            kv_bytes=float(placement.device_kv_bytes[i]),
            overhead_bytes=float(placement.device_overhead_bytes[i]),
            capacity_bytes=placement.capacity_bytes[i],
            holds_output=output_on_gpu and i == last,
        )
        for i, acc in enumerate(placement.accelerators)
    )
    n_layers = int(grid.n_layers)
    return Placement(
        verdict=FITS[int(placement.verdict)],
        devices=devices,
        cpu_layers=n_layers - int(placement.gpu_layers),
        total_layers=n_layers,
        output_on_gpu=output_on_gpu,
        weights_bytes=float(grid.layout.total_bytes),
        kv_bytes=float(grid.kv_bytes),
        overhead_bytes=float(placement.overhead_bytes),
        cpu_bytes=float(placement.cpu_bytes),
        ram_capacity_bytes=float(placement.ram_capacity_bytes),
    )
