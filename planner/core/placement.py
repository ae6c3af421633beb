"""Where the layers go: how many fit on each GPU, what spills to system RAM, and the verdict."""

from __future__ import annotations

from dataclasses import dataclass

from planner.core.calibration import Calibration
from planner.core.hardware import Accelerator, Build
from planner.core.memory import WeightLayout, compute_buffer_bytes, kv_cache_bytes
from planner.core.model import ModelArch
from planner.core.units import GB, GIB
from planner.core.workload import Workload

FIT_GPU, FIT_PARTIAL, FIT_CPU, FIT_NONE = "gpu", "partial", "cpu", "none"
OS_RAM_SHARE = 0.9  # share of system RAM the runtime may use; the OS keeps the rest


def default_gpu_fraction(accelerator: Accelerator) -> float:
    """Share of unified memory the GPU may wire by default.

    macOS lets the GPU use about 2/3 of unified memory up to 32 GB and 3/4 above
    (iogpu.wired_limit_mb overrides it); other unified APUs get the same default here.
    """
    return 2 / 3 if accelerator.memory_gb <= 32 else 0.75


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


def device_capacity_bytes(acc: Accelerator, workload: Workload, calibration: Calibration, backend: str) -> float:
    if acc.unified:
        share = workload.gpu_memory_fraction or default_gpu_fraction(acc)
        return acc.memory_gb * GB * share
    return max(acc.memory_gb * GB - calibration.backend(backend).reserve_gib * GIB, 0.0)


def place(
    build: Build,
    model: ModelArch,
    layout: WeightLayout,
    workload: Workload,
    calibration: Calibration,
    backend: str,
    context: int | None = None,
) -> Placement:
    """llama.cpp-style placement: as many whole layers on the GPUs as fit (split in
    proportion to what each device can hold), the output layer on the GPU only when every
    layer is there, the token embedding in system RAM."""
    n_layers = model.n_layers
    kv_total = kv_cache_bytes(model, workload, context)
    kv_per_layer = kv_total / n_layers
    per_layer = layout.layer_bytes + kv_per_layer
    compute = compute_buffer_bytes(model, workload)
    accelerators = build.accelerators if backend != "cpu" else []
    caps = [device_capacity_bytes(a, workload, calibration, backend) for a in accelerators]

    room = [max(int((cap - compute) // per_layer), 0) for cap in caps]
    last = len(caps) - 1
    # The output layer goes on the last GPU, and only when every layer is on a GPU too.
    output_fits = False
    if caps and caps[last] >= compute + layout.output_bytes:
        room_with_output = int((caps[last] - compute - layout.output_bytes) // per_layer)
        output_fits = sum(room[:last]) + room_with_output >= n_layers
        if output_fits:
            room[last] = room_with_output
    layers = _spread(room, n_layers)
    on_gpu = sum(layers)
    output_on_gpu = output_fits

    devices = tuple(
        DeviceLoad(
            accelerator=acc,
            layers=layers[i],
            weights_bytes=layers[i] * layout.layer_bytes
            + (layout.output_bytes if output_on_gpu and i == last else 0.0),
            kv_bytes=layers[i] * kv_per_layer,
            overhead_bytes=compute if layers[i] else 0.0,
            capacity_bytes=caps[i],
            holds_output=output_on_gpu and i == last,
        )
        for i, acc in enumerate(accelerators)
    )
    cpu_layers = n_layers - on_gpu
    cpu_bytes = layout.embedding_bytes + cpu_layers * per_layer
    if not output_on_gpu:
        cpu_bytes += layout.output_bytes
    ram_cap = _ram_capacity(build, devices)
    verdict = _verdict(on_gpu, n_layers, output_on_gpu, cpu_bytes + (compute if not on_gpu else 0), ram_cap)
    return Placement(
        verdict=verdict,
        devices=devices,
        cpu_layers=cpu_layers,
        total_layers=n_layers,
        output_on_gpu=output_on_gpu,
        weights_bytes=layout.total_bytes,
        kv_bytes=kv_total,
        overhead_bytes=compute * max(sum(1 for d in devices if d.layers), 1),
        cpu_bytes=cpu_bytes,
        ram_capacity_bytes=ram_cap,
    )


def _spread(usable: list[int], n_layers: int) -> list[int]:
    """Distribute layers in proportion to each device's room, never above it."""
    if not usable:
        return []
    total_room = sum(usable)
    if total_room <= n_layers:
        return usable
    share = [n_layers * r / total_room for r in usable]
    layers = [min(int(s), r) for s, r in zip(share, usable, strict=True)]
    leftover = n_layers - sum(layers)
    order = sorted(range(len(usable)), key=lambda i: share[i] - layers[i], reverse=True)
    for i in order * 2:
        if leftover == 0:
            break
        if layers[i] < usable[i]:
            layers[i] += 1
            leftover -= 1
    return layers


def _ram_capacity(build: Build, devices: tuple[DeviceLoad, ...]) -> float:
    ram = build.ram_gb * GB * OS_RAM_SHARE
    if build.is_unified:
        ram -= sum(d.used_bytes for d in devices)
    return max(ram, 0.0)


def _verdict(on_gpu: int, n_layers: int, output_on_gpu: bool, cpu_bytes: float, ram_cap: float) -> str:
    if on_gpu == n_layers and output_on_gpu:
        return FIT_GPU
    if cpu_bytes > ram_cap:
        return FIT_NONE
    return FIT_PARTIAL if on_gpu else FIT_CPU
