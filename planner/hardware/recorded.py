"""Recorded hardware: replays NVML values captured from real devices.

The recordings are JSON (see tests/fixtures/hardware/nvml/). Tests, the benchmark
script and demos use them in place of a driver. A recording may carry an
`init_error` code, per-device `errors` ({method: code}), and a device can be
marked lost at run time with `lose()` to replay a GPU falling off the bus.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from planner.hardware.nvml_api import (
    ERROR_GPU_IS_LOST,
    ERROR_NOT_SUPPORTED,
    MemoryBytes,
    NvmlError,
    Utilization,
)


def load_recording(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


class RecordedNvml:
    """An `NvmlApi` that answers from a recording."""

    def __init__(self, recording: dict[str, Any]) -> None:
        self._rec = recording
        self._devices: list[dict[str, Any]] = list(recording.get("devices", []))
        self._lost: set[int] = set()
        self.initialized = False
        self.calls = 0

    def lose(self, index: int) -> None:
        self._lost.add(index)

    def _fail_if(self, key: str) -> None:
        code = self._rec.get(key)
        if code is not None:
            raise NvmlError(int(code), self._rec.get(f"{key}_message", ""))

    def _field(self, index: int, method: str, key: str) -> Any:
        self.calls += 1
        if index in self._lost:
            raise NvmlError(ERROR_GPU_IS_LOST, "GPU is lost")
        device = self._devices[index]
        code = device.get("errors", {}).get(method)
        if code is not None:
            raise NvmlError(int(code), f"{method} failed")
        value = device
        for part in key.split("."):
            if part not in value:
                raise NvmlError(ERROR_NOT_SUPPORTED, "Not Supported")
            value = value[part]
        return value

    def init(self) -> None:
        self._fail_if("init_error")
        self.initialized = True

    def shutdown(self) -> None:
        self.initialized = False

    def driver_version(self) -> str:
        return str(self._rec["driver_version"])

    def cuda_driver_version(self) -> int:
        return int(self._rec["cuda_driver_version"])

    def device_count(self) -> int:
        self._fail_if("count_error")
        return len(self._devices)

    def name(self, index: int) -> str:
        return str(self._field(index, "name", "name"))

    def uuid(self, index: int) -> str:
        return str(self._field(index, "uuid", "uuid"))

    def memory(self, index: int) -> MemoryBytes:
        mem = self._field(index, "memory", "memory")
        return MemoryBytes(int(mem["total"]), int(mem["free"]), int(mem["used"]))

    def memory_bus_width(self, index: int) -> int:
        return int(self._field(index, "memory_bus_width", "memory_bus_width"))

    def max_memory_clock_mhz(self, index: int) -> int:
        return int(self._field(index, "max_memory_clock_mhz", "max_clocks.memory"))

    def max_graphics_clock_mhz(self, index: int) -> int:
        return int(self._field(index, "max_graphics_clock_mhz", "max_clocks.graphics"))

    def multiprocessor_count(self, index: int) -> int:
        return int(self._field(index, "multiprocessor_count", "multiprocessor_count"))

    def num_gpu_cores(self, index: int) -> int:
        return int(self._field(index, "num_gpu_cores", "num_gpu_cores"))

    def compute_capability(self, index: int) -> tuple[int, int]:
        major, minor = self._field(index, "compute_capability", "cuda_compute_capability")
        return int(major), int(minor)

    def power_limit_mw(self, index: int) -> int:
        return int(self._field(index, "power_limit_mw", "power_management_limit_mw"))

    def max_pcie_generation(self, index: int) -> int:
        return int(self._field(index, "max_pcie_generation", "max_pcie_link_generation"))

    def max_pcie_width(self, index: int) -> int:
        return int(self._field(index, "max_pcie_width", "max_pcie_link_width"))

    def curr_pcie_generation(self, index: int) -> int:
        return int(self._field(index, "curr_pcie_generation", "curr_pcie_link_generation"))

    def curr_pcie_width(self, index: int) -> int:
        return int(self._field(index, "curr_pcie_width", "curr_pcie_link_width"))

    def gpu_max_pcie_generation(self, index: int) -> int:
        return int(self._field(index, "gpu_max_pcie_generation", "gpu_max_pcie_link_generation"))

    def utilization(self, index: int) -> Utilization:
        rates = self._field(index, "utilization", "telemetry.utilization")
        return Utilization(int(rates["gpu"]), int(rates["memory"]))

    def power_usage_mw(self, index: int) -> int:
        return int(self._field(index, "power_usage_mw", "telemetry.power_usage_mw"))

    def temperature_c(self, index: int) -> int:
        return int(self._field(index, "temperature_c", "telemetry.temperature_gpu"))

    def graphics_clock_mhz(self, index: int) -> int:
        return int(self._field(index, "graphics_clock_mhz", "telemetry.clocks.graphics"))

    def memory_clock_mhz(self, index: int) -> int:
        return int(self._field(index, "memory_clock_mhz", "telemetry.clocks.memory"))
