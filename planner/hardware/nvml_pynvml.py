"""`NvmlApi` over nvidia-ml-py (`pynvml`). Importing this module never needs a driver."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

from planner.hardware.nvml_api import (
    ERROR_LIBRARY_NOT_FOUND,
    ERROR_UNKNOWN,
    MemoryBytes,
    NvmlError,
    Utilization,
)

T = TypeVar("T")


def load_pynvml() -> ModuleType:
    """The pynvml module; a missing package reads as NVML's own 'library not found'."""
    try:
        return importlib.import_module("pynvml")
    except ImportError as exc:
        raise NvmlError(
            ERROR_LIBRARY_NOT_FOUND, "NVML library not found (the nvidia-ml-py package is missing)"
        ) from exc


class PynvmlApi:
    """Translates pynvml calls and `NVMLError`s into the `NvmlApi` protocol."""

    def __init__(self, module: ModuleType | None = None) -> None:
        self._nvml = module or load_pynvml()
        self._handles: dict[int, Any] = {}

    def _call(self, func: Callable[..., T], *args: Any) -> T:
        try:
            return func(*args)
        except self._nvml.NVMLError as exc:
            code = getattr(exc, "value", ERROR_UNKNOWN)
            raise NvmlError(int(code), str(exc)) from exc
        except (ValueError, UnicodeDecodeError, OverflowError, AttributeError, TypeError) as exc:
            # a driver answering garbage, or a pynvml without this call: that field is unknown
            raise NvmlError(ERROR_UNKNOWN, f"{type(exc).__name__}: {exc}") from exc

    def _handle(self, index: int) -> Any:
        if index not in self._handles:
            self._handles[index] = self._call(self._nvml.nvmlDeviceGetHandleByIndex, index)
        return self._handles[index]

    def _device(self, func_name: str, index: int, *args: Any) -> Any:
        return self._call(getattr(self._nvml, func_name), self._handle(index), *args)

    def init(self) -> None:
        self._call(self._nvml.nvmlInit)

    def shutdown(self) -> None:
        self._handles.clear()
        self._call(self._nvml.nvmlShutdown)

    def driver_version(self) -> str:
        return _text(self._call(self._nvml.nvmlSystemGetDriverVersion))

    def cuda_driver_version(self) -> int:
        return int(self._call(self._nvml.nvmlSystemGetCudaDriverVersion))

    def device_count(self) -> int:
        return int(self._call(self._nvml.nvmlDeviceGetCount))

    def name(self, index: int) -> str:
        return _text(self._device("nvmlDeviceGetName", index))

    def uuid(self, index: int) -> str:
        return _text(self._device("nvmlDeviceGetUUID", index))

    def memory(self, index: int) -> MemoryBytes:
        info = self._device("nvmlDeviceGetMemoryInfo", index)
        return MemoryBytes(int(info.total), int(info.free), int(info.used))

    def memory_bus_width(self, index: int) -> int:
        return int(self._device("nvmlDeviceGetMemoryBusWidth", index))

    def max_memory_clock_mhz(self, index: int) -> int:
        return int(self._device("nvmlDeviceGetMaxClockInfo", index, self._nvml.NVML_CLOCK_MEM))

    def max_graphics_clock_mhz(self, index: int) -> int:
        clock = self._nvml.NVML_CLOCK_GRAPHICS
        return int(self._device("nvmlDeviceGetMaxClockInfo", index, clock))

    def multiprocessor_count(self, index: int) -> int:
        return int(self._device("nvmlDeviceGetAttributes", index).multiprocessorCount)

    def num_gpu_cores(self, index: int) -> int:
        return int(self._device("nvmlDeviceGetNumGpuCores", index))

    def compute_capability(self, index: int) -> tuple[int, int]:
        major, minor = self._device("nvmlDeviceGetCudaComputeCapability", index)
        return int(major), int(minor)

    def power_limit_mw(self, index: int) -> int:
        return int(self._device("nvmlDeviceGetPowerManagementLimit", index))

    def max_pcie_generation(self, index: int) -> int:
        return int(self._device("nvmlDeviceGetMaxPcieLinkGeneration", index))

    def max_pcie_width(self, index: int) -> int:
        return int(self._device("nvmlDeviceGetMaxPcieLinkWidth", index))

    def curr_pcie_generation(self, index: int) -> int:
        return int(self._device("nvmlDeviceGetCurrPcieLinkGeneration", index))

    def curr_pcie_width(self, index: int) -> int:
        return int(self._device("nvmlDeviceGetCurrPcieLinkWidth", index))

    def gpu_max_pcie_generation(self, index: int) -> int:
        return int(self._device("nvmlDeviceGetGpuMaxPcieLinkGeneration", index))

    def utilization(self, index: int) -> Utilization:
        rates = self._device("nvmlDeviceGetUtilizationRates", index)
        return Utilization(int(rates.gpu), int(rates.memory))

    def power_usage_mw(self, index: int) -> int:
        return int(self._device("nvmlDeviceGetPowerUsage", index))

    def temperature_c(self, index: int) -> int:
        sensor = self._nvml.NVML_TEMPERATURE_GPU
        return int(self._device("nvmlDeviceGetTemperature", index, sensor))

    def graphics_clock_mhz(self, index: int) -> int:
        clock = self._nvml.NVML_CLOCK_GRAPHICS
        return int(self._device("nvmlDeviceGetClockInfo", index, clock))

    def memory_clock_mhz(self, index: int) -> int:
        return int(self._device("nvmlDeviceGetClockInfo", index, self._nvml.NVML_CLOCK_MEM))


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
