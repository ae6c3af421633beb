"""Live telemetry: a background sampler of GPU, CPU and RAM figures for the charts.

Plain threading, no Qt: the UI wraps `Sampler` and turns its listener calls into
signals. Samples go into a bounded ring buffer. A GPU that errors out (fell off the
bus, driver reset) is marked lost and skipped from then on; sampling goes on.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from planner.hardware.nvml_api import ERROR_NOT_SUPPORTED, NvmlApi, NvmlError

MIN_INTERVAL_S = 0.25
MAX_INTERVAL_S = 1.0


@dataclass(frozen=True)
class GpuSample:
    index: int
    lost: bool = False
    utilization_pct: int | None = None
    memory_used_bytes: int | None = None
    power_w: float | None = None
    temperature_c: int | None = None
    graphics_clock_mhz: int | None = None
    memory_clock_mhz: int | None = None


@dataclass(frozen=True)
class Sample:
    time_s: float
    gpus: tuple[GpuSample, ...]
    cpu_pct: float
    ram_used_bytes: int


class SystemStats(Protocol):
    def cpu_percent(self) -> float: ...
    def ram_used_bytes(self) -> int: ...


class PsutilStats:
    """CPU utilization since the previous call (non-blocking) and RAM in use."""

    def __init__(self) -> None:
        self._psutil = importlib.import_module("psutil")
        self._psutil.cpu_percent(interval=None)

    def cpu_percent(self) -> float:
        return float(self._psutil.cpu_percent(interval=None))

    def ram_used_bytes(self) -> int:
        memory = self._psutil.virtual_memory()
        return int(memory.total - memory.available)


Listener = Callable[[Sample], None]


class Sampler:
    """Samples every `interval_s` (0.25 to 1 s, i.e. 1 to 4 Hz) on a daemon thread.

    `nvml` must already be initialized (or None: CPU and RAM only). Listeners are
    called on the sampler thread.
    """

    def __init__(
        self,
        nvml: NvmlApi | None,
        system: SystemStats,
        gpu_indices: Sequence[int] = (),
        interval_s: float = 0.5,
        capacity: int = 600,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not MIN_INTERVAL_S <= interval_s <= MAX_INTERVAL_S:
            raise ValueError(f"interval_s must be {MIN_INTERVAL_S}..{MAX_INTERVAL_S} s")
        self.interval_s = interval_s
        self._nvml = nvml
        self._system = system
        self._indices = tuple(gpu_indices)
        self._clock = clock
        self._buffer: deque[Sample] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._lost: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def lost(self) -> dict[int, str]:
        """Lost GPU index -> the NVML error that lost it."""
        return dict(self._lost)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def samples(self) -> list[Sample]:
        with self._lock:
            return list(self._buffer)

    def sample_once(self) -> Sample:
        sample = Sample(
            time_s=self._clock(),
            gpus=tuple(self._gpu(i) for i in self._indices),
            cpu_pct=self._system.cpu_percent(),
            ram_used_bytes=self._system.ram_used_bytes(),
        )
        with self._lock:
            self._buffer.append(sample)
        for listener in self._listeners:
            listener(sample)
        return sample

    def _gpu(self, index: int) -> GpuSample:
        if self._nvml is None or index in self._lost:
            return GpuSample(index, lost=True)
        nvml = self._nvml
        try:
            power_mw = _supported(nvml.power_usage_mw, index)
            return GpuSample(
                index,
                utilization_pct=nvml.utilization(index).gpu_pct,
                memory_used_bytes=nvml.memory(index).used,
                power_w=power_mw / 1000 if power_mw is not None else None,
                temperature_c=_supported(nvml.temperature_c, index),
                graphics_clock_mhz=_supported(nvml.graphics_clock_mhz, index),
                memory_clock_mhz=_supported(nvml.memory_clock_mhz, index),
            )
        except NvmlError as exc:
            self._lost[index] = exc.message
            return GpuSample(index, lost=True)

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="telemetry", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _loop(self) -> None:
        next_at = self._clock()
        while not self._stop.is_set():
            self.sample_once()
            next_at += self.interval_s
            self._stop.wait(max(0.0, next_at - self._clock()))


def _supported(read: Callable[[int], int], index: int) -> int | None:
    """None for a sensor this board lacks; any other NVML error propagates."""
    try:
        return read(index)
    except NvmlError as exc:
        if exc.code == ERROR_NOT_SUPPORTED:
            return None
        raise
