"""Where the layers go: how many fit on each GPU, what spills to system RAM, and the verdict.

`place()` is the one placement rule, for one cell or a whole grid of cells at once
(planner.core.cells). Devices are few, so they are a Python list (a loop where llama.cpp's
rules go device by device); the cells are numbers or numpy arrays. `Placement` is the
view of one cell that `estimate()` reports, with a `DeviceLoad` per accelerator.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from planner.core import cells
from planner.core.calibration import Calibration
from planner.core.cells import Cells
from planner.core.grid import Grid
from planner.core.hardware import Accelerator, Backend, Build
from planner.core.units import GIB
from planner.core.workload import Workload


class Fit(StrEnum):
    """Where the model runs: all on the GPUs, split with system RAM, on the CPU, or nowhere."""

    GPU = "gpu"
    PARTIAL = "partial"
    CPU = "cpu"
    NONE = "none"


FITS = tuple(Fit)  # GridPlacement.verdict holds indexes into this
GPU_CODE, PARTIAL_CODE, CPU_CODE, NONE_CODE = range(len(FITS))
OS_RESERVE_GIB = 4.0  # what an idle OS and desktop keep of system RAM (at most a quarter of it)


def usable_ram_bytes(ram_gib: float) -> float:
    """System RAM (binary, as DIMMs are sold) the runtime may fill: all but the OS's share."""
    return ram_gib * GIB - min(OS_RESERVE_GIB, 0.25 * ram_gib) * GIB


def default_gpu_fraction(accelerator: Accelerator) -> float:
    """Share of unified memory the GPU may wire by default.

    macOS lets the GPU use about 2/3 of unified memory up to 32 GB and 3/4 above
    (iogpu.wired_limit_mb overrides it); other unified APUs get the same default here.
    """
    return 2 / 3 if accelerator.memory_gb <= 32 else 0.75


def device_capacity_bytes(acc: Accelerator, workload: Workload, calibration: Calibration, backend: str) -> float:
    """What llama.cpp may allocate on a device: the driver's total (binary units) less the
    backend's runtime reserve, or the GPU's share of unified memory."""
    if acc.unified:
        share = workload.gpu_memory_fraction or default_gpu_fraction(acc)
        return acc.memory_bytes * share
    return max(acc.memory_bytes - calibration.backend(backend).reserve_gib * GIB, 0.0)


def capacities(
    accelerators: tuple[Accelerator, ...], workload: Workload, calibration: Calibration, backend: str
) -> tuple[float, ...]:
    """What each device may hold: a unified chip's GPU share, a GPU's memory less the runtime's reserve."""
    reserve = calibration.backend(backend).reserve_gib * GIB
    return tuple(
        acc.memory_bytes * (workload.gpu_memory_fraction or default_gpu_fraction(acc))
        if acc.unified
        else max(acc.memory_bytes - reserve, 0.0)
        for acc in accelerators
    )


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
    expert_layers_in_ram: Cells = 0  # MoE blocks on the GPUs whose routed experts stay in RAM
    device_expert_layers_in_ram: tuple[Cells, ...] = ()


def experts_requested_in_ram(grid: Grid) -> Cells:
    """MoE blocks among blocks 0..N-1 of `--n-cpu-moe N` (leading dense blocks hold no experts)."""
    n_cpu_moe = grid.workload.n_cpu_moe
    if not n_cpu_moe:
        return cells.zeros(grid.n_layers)
    count = cells.maximum(cells.minimum(n_cpu_moe, grid.n_layers) - grid.n_dense_layers, 0)
    return cells.where(grid.layout.expert_layer_bytes > 0, count, 0)


def layers_requested(grid: Grid) -> tuple[Cells, bool]:
    """Repeating layers -ngl asks for, and whether it asks for the output layer too (-ngl > layers)."""
    ngl = grid.workload.gpu_layers
    if ngl is None:
        return grid.n_layers, True
    return cells.minimum(ngl, grid.n_layers), bool(np.all(ngl > grid.n_layers))


def experts_in_ram_on_gpu(grid: Grid, gpu_layers: Cells) -> Cells:
    """MoE blocks held by the GPUs whose experts stay in RAM. The GPUs hold the last layers,
    --n-cpu-moe moves the experts of the first ones: only the overlap counts."""
    requested = experts_requested_in_ram(grid)
    first_on_gpu = grid.n_layers - gpu_layers
    start = cells.maximum(first_on_gpu, grid.n_dense_layers)
    end = grid.n_dense_layers + requested
    return cells.where(requested > 0, cells.maximum(end - start, 0), 0)


def place(build: Build, grid: Grid, calibration: Calibration, backend: str) -> GridPlacement:
    """llama.cpp-style placement: as many whole layers on the GPUs as fit, or as -ngl asks
    (split in proportion to what each device can hold; the GPUs hold the last layers), the
    output layer on the last GPU only when every layer is there, the token embedding in system
    RAM. The routed experts of the blocks --n-cpu-moe names stay in RAM, so those blocks are
    lighter on the GPU; since the GPUs hold the last blocks, they help only where they overlap."""
    layout = grid.layout
    n_layers = grid.n_layers
    kv_per_layer = grid.kv_bytes / n_layers
    per_layer = layout.layer_bytes + kv_per_layer
    accelerators = tuple(build.accelerators) if backend != Backend.CPU else ()
    caps = capacities(accelerators, grid.workload, calibration, backend)
    last = len(caps) - 1
    room = gpu_room(grid, caps)
    layers = split_as_asked(grid.workload.tensor_split, room.usable, room.on_gpu) or spread(room.usable, room.on_gpu)
    on_gpu = cells.total(layers, per_layer, np.int64)
    output_on_gpu = room.output_on_gpu
    light = experts_in_ram_on_gpu(grid, on_gpu)
    device_light = _first_devices(light, layers)

    saved = room.saved_per_light_layer
    device_weights = [n * layout.layer_bytes - e * saved for n, e in zip(layers, device_light, strict=True)]
    if caps:
        device_weights[last] = device_weights[last] + cells.where(output_on_gpu, layout.output_bytes, 0.0)
    device_kv = [n * kv_per_layer for n in layers]
    device_overhead = [cells.where(n > 0, grid.compute_bytes, 0.0) for n in layers]
    if caps:
        output_compute = cells.where(output_on_gpu, grid.output_compute_bytes, grid.compute_bytes)
        device_overhead[last] = cells.where(layers[last] > 0, output_compute, 0.0)
    used_devices = cells.count_true([n > 0 for n in layers], per_layer)

    cpu_layers = n_layers - on_gpu
    cpu_bytes = layout.embedding_bytes + cpu_layers * per_layer + light * layout.expert_layer_bytes
    cpu_bytes = cells.where(output_on_gpu, cpu_bytes, cpu_bytes + layout.output_bytes)
    ram_cap = cells.zeros(per_layer, np.float64) + usable_ram_bytes(build.ram_gb)
    if build.is_unified:
        ram_cap = ram_cap - cells.total([*device_weights, *device_kv, *device_overhead], per_layer)
    ram_cap = cells.maximum(ram_cap, 0.0)
    ram_needed = cpu_bytes + cells.where(on_gpu == 0, grid.output_compute_bytes, 0.0)
    on_cpu = cells.where(ram_needed > ram_cap, NONE_CODE, cells.where(on_gpu > 0, PARTIAL_CODE, CPU_CODE))
    verdict = cells.where((on_gpu == n_layers) & output_on_gpu & (light == 0), GPU_CODE, on_cpu)
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
        overhead_bytes=cells.total(device_overhead, per_layer) if caps else grid.output_compute_bytes,
        cpu_bytes=cpu_bytes,
        ram_capacity_bytes=ram_cap,
        expert_layers_in_ram=light,
        device_expert_layers_in_ram=tuple(device_light),
    )


def _first_devices(count: Cells, layers: list[Cells]) -> list[Cells]:
    """`count` layers handed out in device order, none beyond what a device holds."""
    out = []
    left = count
    for n in layers:
        take = cells.minimum(left, n)
        out.append(take)
        left = left - take
    return out


@dataclass(frozen=True)
class Room:
    """What the GPUs can hold: whole layers per device (the first device also counts the
    lighter blocks), the layers placed in all, whether the output layer joins them, whether
    everything -ngl asks for is on the GPUs, and the bytes a block saves when its experts
    stay in RAM."""

    usable: list[Cells]
    on_gpu: Cells
    output_on_gpu: Cells
    complete: Cells
    saved_per_light_layer: Cells


def first_layer_on_gpu(grid: Grid, room: Cells, saved: Cells) -> Cells:
    """The first block the GPUs hold when they have `room` bytes for blocks: the smallest c whose
    blocks c..n-1 fit, where blocks in the --n-cpu-moe range weigh `saved` less."""
    n = grid.n_layers
    heavy = grid.layout.layer_bytes + grid.kv_bytes / n
    light_from = grid.n_dense_layers
    light_to = light_from + experts_requested_in_ram(grid)
    after = n - cells.whole_layers(room, heavy)  # c at or beyond the lighter blocks
    within = np.ceil((n * heavy - light_to * saved - room) / (heavy - saved))
    before = np.ceil(n - (room + (light_to - light_from) * saved) / heavy)
    c_before = cells.maximum(before, 0)
    c_within = cells.minimum(cells.maximum(within, light_from), light_to)
    c_after = cells.minimum(cells.maximum(after, light_to), n)
    c = cells.where(c_before < light_from, c_before, cells.where(c_within < light_to, c_within, c_after))
    return cells.where(room < 0, n, c)


def gpu_room(grid: Grid, caps: tuple[float, ...]) -> Room:
    """Whole layers the GPUs can hold, and whether everything -ngl asks for is on them.

    The output layer goes on the last GPU, and only when every layer is on a GPU too; that
    GPU then also holds the logits' larger compute buffer.
    """
    layout = grid.layout
    n = grid.n_layers
    kv_per_layer = grid.kv_bytes / n
    heavy = layout.layer_bytes + kv_per_layer
    light = cells.maximum(heavy - layout.expert_layer_bytes, kv_per_layer + 2**20)
    saved = cells.where(experts_requested_in_ram(grid) > 0, heavy - light, 0.0)
    wanted, output_wanted = layers_requested(grid)
    no = cells.zeros(heavy, np.bool_)
    if not caps:
        return Room([], cells.zeros(heavy), no, no, saved)
    compute = grid.compute_bytes
    rooms = [cap - compute for cap in caps]
    total_room = cells.total(rooms, heavy)
    placed = cells.minimum(n - first_layer_on_gpu(grid, total_room, saved), wanted)
    output_on_gpu = no
    if output_wanted:
        extra = layout.output_bytes + grid.output_compute_bytes - compute
        all_fit = first_layer_on_gpu(grid, total_room - extra, saved) == 0
        output_on_gpu = all_fit & (rooms[-1] - extra >= 0)
        placed = cells.where(output_on_gpu, n, placed)
    complete = output_on_gpu if output_wanted else placed >= wanted
    # Per device: whole heavy layers; the first device also holds the lighter blocks.
    usable = [cells.whole_layers(r, heavy) for r in rooms]
    usable[0] = usable[0] + cells.maximum(placed - cells.total(usable, heavy, np.int64), 0)
    return Room(usable, placed, output_on_gpu, complete, saved)


def split_as_asked(shares: tuple[float, ...], usable: list[Cells], placed: Cells) -> list[Cells] | None:
    """-ts: layers per GPU in the proportions asked (the remainder to the last GPU), never more
    than a GPU holds; None without -ts or with one GPU."""
    if len(usable) < 2 or not shares or sum(shares) <= 0:
        return None
    weights = [*shares, *([0.0] * (len(usable) - len(shares)))][: len(usable)]
    total = sum(weights)
    layers = [np.floor(placed * w / total) for w in weights[:-1]]
    layers.append(placed - sum(layers))
    return [cells.minimum(n.astype(np.int64) if cells.is_grid(n) else np.int64(n), room)
            for n, room in zip(layers, usable, strict=True)]  # fmt: skip


def spread(usable: list[Cells], n_layers: Cells) -> list[Cells]:
    """Layers per device in proportion to each device's room, never above it; the
    remainder goes one by one to the largest fractional shares (two rounds)."""
    if len(usable) <= 1:
        return [cells.minimum(room, n_layers) for room in usable]
    room = np.stack(usable)  # (devices,) for one cell, (devices, ...cells) for a grid
    total_room = room.sum(axis=0)
    over = total_room > n_layers
    if not over.any():
        return usable
    share = (n_layers * room) / np.where(over, total_room, 1)
    layers = np.minimum(np.floor(share).astype(np.int64), room)
    leftover = np.where(over, n_layers - layers.sum(axis=0), 0)
    order = np.argsort(layers - share, axis=0, kind="stable")  # largest fractional share first
    for _ in range(2):
        if not (leftover > 0).any():  # the first round always places every layer left over
            break
        # Walking the devices in `order`, each one with room left takes a layer while any remain.
        room_left = _in_order(layers < room, order)
        takes = room_left & (np.cumsum(room_left, axis=0) - room_left < leftover)
        layers = layers + _from_order(takes, order)
        leftover = leftover - takes.sum(axis=0)
    return list(np.where(over, layers, room))


def _in_order(values: np.ndarray, order: np.ndarray) -> np.ndarray:
    """`values` along the device axis, rearranged into `order` (plain indexing for one cell)."""
    return values[order] if order.ndim == 1 else np.take_along_axis(values, order, axis=0)


def _from_order(values: np.ndarray, order: np.ndarray) -> np.ndarray:
    """The inverse of `_in_order`."""
    out = np.empty_like(values)
    if order.ndim == 1:
        out[order] = values
    else:
        np.put_along_axis(out, order, values, axis=0)
    return out


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

    verdict: Fit
    devices: tuple[DeviceLoad, ...]
    cpu_layers: int
    total_layers: int
    output_on_gpu: bool
    weights_bytes: float
    kv_bytes: float
    overhead_bytes: float
    cpu_bytes: float  # weights + KV held in system RAM
    ram_capacity_bytes: float
    expert_layers_in_ram: int = 0

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
        expert_layers_in_ram=int(placement.expert_layers_in_ram),
    )
