"""The Probe protocol and the plain records that probes return.

A probe never raises for an environmental condition: a missing library, a missing
driver, a permission problem or a container without a GPU is a `ProbeResult` whose
`status` is `absent` or `error` and whose `reason` says why, in words a user can act on.
"""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from planner.core.units import GIB

OK = "ok"
ABSENT = "absent"
ERROR = "error"
TIMEOUT = "timeout"


# Runs a command and returns its stdout; raises OSError or subprocess.SubprocessError.
Runner = Callable[[Sequence[str]], str]


def subprocess_runner(timeout_s: float = 5.0) -> Runner:
    """A `Runner` over `subprocess.run` with a timeout; non-zero exit raises."""

    def run(command: Sequence[str]) -> str:
        completed = subprocess.run(list(command), capture_output=True, text=True, timeout=timeout_s, check=True)
        return completed.stdout

    return run


@dataclass(frozen=True)
class GpuInfo:
    """One detected GPU, with the figures its source could report (None = not reported)."""

    name: str
    vendor: str
    memory_bytes: int
    source: str
    index: int = 0
    uuid: str = ""
    free_bytes: int | None = None
    bus_width_bits: int | None = None
    max_memory_clock_mhz: int | None = None
    memory_data_rate: int = 2
    max_graphics_clock_mhz: int | None = None
    sm_count: int | None = None
    shader_cores: int | None = None
    compute_capability: str = ""
    power_limit_w: float | None = None
    pcie_gen: int | None = None
    pcie_width: int | None = None
    pci_id: str = ""
    unified: bool = False
    integrated: bool = False
    notes: tuple[str, ...] = ()

    @property
    def memory_gib(self) -> float:
        return self.memory_bytes / GIB

    @property
    def bandwidth_gbs(self) -> float | None:
        """Peak memory bandwidth: bus bytes x memory clock x data-rate multiplier.

        NVML reports GDDR/HBM memory clocks at half the effective transfer rate, hence
        the default multiplier of 2 (RTX 3090: 384/8 x 9751 MHz x 2 = 936 GB/s).
        """
        if not self.bus_width_bits or not self.max_memory_clock_mhz:
            return None
        rate = self.max_memory_clock_mhz * self.memory_data_rate
        return round(self.bus_width_bits / 8 * rate / 1000, 1)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["memory_gib"] = round(self.memory_gib, 2)
        data["bandwidth_gbs"] = self.bandwidth_gbs
        data["notes"] = list(self.notes)
        return data


@dataclass(frozen=True)
class CpuInfo:
    brand: str
    arch: str
    vendor: str = ""
    cores: int | None = None
    threads: int | None = None
    flags: tuple[str, ...] = ()

    @property
    def avx2(self) -> bool:
        return "avx2" in self.flags

    @property
    def avx512(self) -> bool:
        return "avx512f" in self.flags

    @property
    def neon(self) -> bool:
        return bool({"neon", "asimd"} & set(self.flags)) or self.arch.upper().startswith("ARM_8")

    def to_dict(self) -> dict[str, Any]:
        return {
            "brand": self.brand,
            "arch": self.arch,
            "vendor": self.vendor,
            "cores": self.cores,
            "threads": self.threads,
            "avx2": self.avx2,
            "avx512": self.avx512,
            "neon": self.neon,
            "flags_count": len(self.flags),
        }


@dataclass(frozen=True)
class MemoryInfo:
    total_bytes: int
    available_bytes: int
    speed_mts: int | None = None
    channels: int | None = None
    speed_source: str = "unknown"

    @property
    def total_gib(self) -> float:
        return self.total_bytes / GIB

    def to_dict(self) -> dict[str, Any]:
        return {
            "total_bytes": self.total_bytes,
            "available_bytes": self.available_bytes,
            "total_gib": round(self.total_gib, 2),
            "speed_mts": self.speed_mts if self.speed_mts else "unknown",
            "channels": self.channels if self.channels else "unknown",
            "speed_source": self.speed_source,
        }


@dataclass(frozen=True)
class AppleInfo:
    chip: str
    gpu_cores: int | None
    memory_bytes: int
    model: str = ""

    @property
    def catalog_name(self) -> str:
        """How the catalog spells this chip: 'Apple M3 Max (40-core GPU)'."""
        return f"{self.chip} ({self.gpu_cores}-core GPU)" if self.gpu_cores else self.chip

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "catalog_name": self.catalog_name}


@dataclass(frozen=True)
class OsInfo:
    system: str
    release: str
    machine: str
    in_container: bool = False

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class ProbeResult:
    """What one probe found (`data`), how (`method`), or why not (`reason`)."""

    probe: str
    status: str
    reason: str = ""
    method: str = ""
    data: Any = None
    notes: tuple[str, ...] = field(default=())
    elapsed_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "probe": self.probe,
            "status": self.status,
            "reason": self.reason,
            "method": self.method,
            "notes": list(self.notes),
            "elapsed_s": round(self.elapsed_s, 3),
            "data": _data_dict(self.data),
        }


def _data_dict(data: Any) -> Any:
    if data is None:
        return None
    if isinstance(data, tuple | list):
        return [_data_dict(item) for item in data]
    to_dict = getattr(data, "to_dict", None)
    return to_dict() if callable(to_dict) else data


class Probe(Protocol):
    """Finds one kind of hardware. `run` returns a result; it does not raise."""

    name: str

    def run(self) -> ProbeResult: ...


def found(probe: str, data: Any, method: str, notes: Sequence[str] = ()) -> ProbeResult:
    return ProbeResult(probe, OK, method=method, data=data, notes=tuple(notes))


def absent(probe: str, reason: str, method: str = "") -> ProbeResult:
    return ProbeResult(probe, ABSENT, reason=reason, method=method)


def failed(probe: str, reason: str, method: str = "") -> ProbeResult:
    return ProbeResult(probe, ERROR, reason=reason, method=method)
