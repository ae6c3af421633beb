"""Runs every probe at once, each on its own thread, and gathers what they found.

A probe that hangs (a wedged driver, a slow `system_profiler`) is reported as timed
out after `timeout_s` and abandoned on a daemon thread; the others are not held up.
`detect` never raises.
"""

from __future__ import annotations

import logging
import platform
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from planner.hardware.apple import AppleProbe
from planner.hardware.cpu import CpuProbe
from planner.hardware.memory import MemoryProbe
from planner.hardware.nvidia import NvidiaProbe
from planner.hardware.nvml_pynvml import PynvmlApi
from planner.hardware.pcie import PcieLink, PcieProbe
from planner.hardware.probe import (
    ERROR,
    TIMEOUT,
    AppleInfo,
    CpuInfo,
    GpuInfo,
    MemoryInfo,
    OsInfo,
    Probe,
    ProbeResult,
    subprocess_runner,
)
from planner.hardware.sysfs_gpus import SysfsGpuProbe
from planner.hardware.system import OsProbe, in_container
from planner.hardware.windows import WindowsGpuProbe

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT_S = 8.0
GPU_PROBES = ("nvidia", "sysfs", "windows")


@dataclass(frozen=True)
class Detection:
    """Every probe's result, and convenient views of what was found."""

    results: tuple[ProbeResult, ...]

    def result(self, probe: str) -> ProbeResult | None:
        return next((r for r in self.results if r.probe == probe), None)

    def _data(self, probe: str) -> Any:
        found = self.result(probe)
        return found.data if found is not None and found.ok else None

    @property
    def gpus(self) -> list[GpuInfo]:
        """Discrete and APU GPUs; NVML's NVIDIA figures win over WMI's."""
        nvml = list(self._data("nvidia") or ())
        others = [g for p in GPU_PROBES[1:] for g in (self._data(p) or ())]
        if nvml:
            others = [g for g in others if g.vendor != "NVIDIA"]
        return nvml + others

    @property
    def cpu(self) -> CpuInfo | None:
        info: CpuInfo | None = self._data("cpu")
        return info

    @property
    def memory(self) -> MemoryInfo | None:
        info: MemoryInfo | None = self._data("memory")
        return info

    @property
    def apple(self) -> AppleInfo | None:
        info: AppleInfo | None = self._data("apple")
        return info

    @property
    def pcie(self) -> tuple[PcieLink, ...]:
        return tuple(self._data("pcie") or ())

    @property
    def os(self) -> OsInfo | None:
        info: OsInfo | None = self._data("os")
        return info

    def to_dict(self) -> dict[str, Any]:
        return {
            "gpus": [g.to_dict() for g in self.gpus],
            "cpu": self.cpu.to_dict() if self.cpu else None,
            "memory": self.memory.to_dict() if self.memory else None,
            "apple": self.apple.to_dict() if self.apple else None,
            "os": self.os.to_dict() if self.os else None,
            "pcie": [link.to_dict() for link in self.pcie],
            "probes": [r.to_dict() for r in self.results],
        }


def default_probes(system: str | None = None, machine: str | None = None) -> list[Probe]:
    system = system or platform.system()
    machine = machine or platform.machine()
    runner = subprocess_runner()
    return [
        NvidiaProbe(PynvmlApi, in_container),
        SysfsGpuProbe(system),
        WindowsGpuProbe(system, runner),
        AppleProbe(system, machine, runner),
        CpuProbe(),
        MemoryProbe(system, runner),
        OsProbe(),
        PcieProbe(PynvmlApi, system),
    ]


class _Slot:
    def __init__(self, probe: Probe, clock: Callable[[], float]) -> None:
        self.probe = probe
        self.result: ProbeResult | None = None
        self.done = threading.Event()
        self._clock = clock

    def run(self) -> None:
        start = self._clock()
        try:
            result = self.probe.run()
        except Exception as exc:  # a probe bug must not take the app down; it is logged
            log.exception("probe %s crashed", self.probe.name)
            result = ProbeResult(self.probe.name, ERROR, reason=f"probe crashed: {exc!r}")
        self.result = replace(result, elapsed_s=self._clock() - start)
        self.done.set()


def detect(
    probes: Sequence[Probe] | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    clock: Callable[[], float] = time.monotonic,
) -> Detection:
    """Run the probes concurrently; each gets `timeout_s` from the common start."""
    slots = [_Slot(p, clock) for p in (default_probes() if probes is None else probes)]
    for slot in slots:
        threading.Thread(target=slot.run, name=f"probe-{slot.probe.name}", daemon=True).start()
    deadline = clock() + timeout_s
    results = []
    for slot in slots:
        slot.done.wait(max(0.0, deadline - clock()))
        if slot.result is None:
            reason = f"no answer within {timeout_s:g} s (the {slot.probe.name} probe hung)"
            results.append(ProbeResult(slot.probe.name, TIMEOUT, reason=reason))
        else:
            results.append(slot.result)
    return Detection(tuple(results))
