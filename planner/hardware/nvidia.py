"""NVIDIA GPUs through NVML: every device's identity, memory system and limits."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TypeVar

from planner.hardware.nvml_api import (
    ERROR_DRIVER_NOT_LOADED,
    ERROR_GPU_IS_LOST,
    ERROR_LIB_RM_VERSION_MISMATCH,
    ERROR_LIBRARY_NOT_FOUND,
    ERROR_NO_PERMISSION,
    NvmlApi,
    NvmlError,
)
from planner.hardware.probe import GpuInfo, ProbeResult, absent, failed, found

T = TypeVar("T")
NO_GPU = "no NVIDIA GPU detected"

# CUDA cores per SM by compute capability (CUDA C Programming Guide, "Arithmetic
# Instructions" throughput table); used only when NVML cannot report the SM count.
_CORES_PER_SM = {(6, 0): 64, (7, 0): 64, (7, 5): 64, (8, 0): 64}


def reason_for(error: NvmlError, in_container: bool = False) -> tuple[bool, str]:
    """(is_absent, reason) for an NVML failure, phrased for the user."""
    container = " (inside a container: was it started with GPU access, e.g. --gpus all?)"
    hint = container if in_container else ""
    if error.code == ERROR_LIBRARY_NOT_FOUND:
        return True, f"{NO_GPU}: NVML library not found{hint}"
    if error.code == ERROR_DRIVER_NOT_LOADED:
        return True, f"{NO_GPU}: the NVIDIA driver is not loaded{hint}"
    if error.code == ERROR_LIB_RM_VERSION_MISMATCH:
        return False, (
            "NVIDIA driver/library version mismatch: the driver was updated without a reboot; restart the computer"
        )
    if error.code == ERROR_NO_PERMISSION:
        return False, (
            "permission denied opening the NVIDIA device: add your user to the group that "
            "owns /dev/nvidia* (often 'video')"
        )
    return False, f"NVML failed: {error.message} (code {error.code})"


class NvidiaProbe:
    """Reads every NVIDIA GPU through an `NvmlApi`; `api_factory` may raise `NvmlError`."""

    name = "nvidia"

    def __init__(self, api_factory: Callable[[], NvmlApi], in_container: Callable[[], bool] = lambda: False) -> None:
        self._api_factory = api_factory
        self._in_container = in_container

    def run(self) -> ProbeResult:
        try:
            api = self._api_factory()
            api.init()
        except NvmlError as exc:
            is_absent, reason = reason_for(exc, self._in_container())
            return (absent if is_absent else failed)(self.name, reason, "NVML")
        try:
            return self._read(api)
        except NvmlError as exc:
            return failed(self.name, reason_for(exc)[1], "NVML")
        finally:
            _quietly(api.shutdown)

    def _read(self, api: NvmlApi) -> ProbeResult:
        driver = api.driver_version()
        cuda = _cuda_text(api.cuda_driver_version())
        method = f"NVML (driver {driver}, CUDA {cuda})"
        count = api.device_count()
        if count == 0:
            where = " in this container" if self._in_container() else ""
            return absent(self.name, f"{NO_GPU}: the driver is loaded but no GPU is visible{where}")
        gpus, notes = [], []
        for index in range(count):
            try:
                gpus.append(read_device(api, index))
            except NvmlError as exc:
                if exc.code != ERROR_GPU_IS_LOST:
                    raise
                notes.append(f"GPU {index} fell off the bus while being read (NVML: GPU is lost)")
        if not gpus:
            return failed(self.name, "; ".join(notes), method)
        return found(self.name, tuple(gpus), method, notes)


def read_device(api: NvmlApi, index: int) -> GpuInfo:
    """Every field is read on its own: one that fails is kept as unknown (and noted), so one
    bad field never drops the GPU, let alone every NVIDIA GPU."""
    unknown: list[str] = []
    memory = _optional(api.memory, index, unknown, "memory")
    capability = _optional(api.compute_capability, index, unknown, "compute capability")
    cores = _optional(api.num_gpu_cores, index)
    power_mw = _optional(api.power_limit_mw, index)
    name = _optional(api.name, index, unknown, "name")
    return GpuInfo(
        name=name or f"NVIDIA GPU {index}",
        vendor="NVIDIA",
        memory_bytes=memory.total if memory else 0,
        free_bytes=memory.free if memory else None,
        source="nvml",
        index=index,
        uuid=_optional(api.uuid, index, unknown, "UUID") or "",
        bus_width_bits=_optional(api.memory_bus_width, index),
        max_memory_clock_mhz=_optional(api.max_memory_clock_mhz, index),
        max_graphics_clock_mhz=_optional(api.max_graphics_clock_mhz, index),
        sm_count=_sm_count(api, index, cores, capability or (0, 0)),
        shader_cores=cores,
        compute_capability=f"{capability[0]}.{capability[1]}" if capability else "",
        power_limit_w=power_mw / 1000 if power_mw else None,
        pcie_gen=_optional(api.max_pcie_generation, index),
        pcie_width=_optional(api.max_pcie_width, index),
        notes=tuple(f"NVML could not report its {field}; shown as unknown" for field in unknown),
    )


def _sm_count(api: NvmlApi, index: int, cores: int | None, cc: tuple[int, int]) -> int | None:
    count = _optional(api.multiprocessor_count, index)
    if count or not cores:
        return count
    return cores // _CORES_PER_SM.get(cc, 128)


def _optional(read: Callable[[int], T], index: int, unknown: list[str] | None = None, field: str = "") -> T | None:
    """A field some boards or drivers do not report: None instead of a failure (listed in `unknown`)."""
    try:
        return read(index)
    except NvmlError as exc:
        if exc.code == ERROR_GPU_IS_LOST:
            raise
        if unknown is not None:
            unknown.append(field)
        return None


def _quietly(action: Callable[[], None]) -> None:
    # Shutting down after a failure: the first error is the one to report.
    with contextlib.suppress(NvmlError):
        action()


def _cuda_text(version: int) -> str:
    """NVML encodes CUDA 12.4 as 12040."""
    return f"{version // 1000}.{version % 1000 // 10}"
