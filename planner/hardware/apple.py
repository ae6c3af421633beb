"""Apple Silicon: chip name and unified memory (sysctl), GPU core count (system_profiler)."""

from __future__ import annotations

import json
import re
import subprocess

from planner.hardware.probe import AppleInfo, ProbeResult, Runner, absent, failed, found

SYSCTL_COMMAND = ("sysctl", "hw.memsize", "hw.model", "machdep.cpu.brand_string")
PROFILER_COMMAND = ("system_profiler", "SPDisplaysDataType", "-json")


def parse_sysctl(text: str) -> dict[str, str]:
    """`sysctl name...` prints 'name: value' lines."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            values[key.strip()] = value.strip()
    return values


def parse_gpu_cores(text: str) -> int | None:
    """GPU cores of the built-in Apple GPU in `system_profiler SPDisplaysDataType -json`."""
    for gpu in json.loads(text).get("SPDisplaysDataType", []):
        vendor = str(gpu.get("spdisplays_vendor", ""))
        model = str(gpu.get("sppci_model", ""))
        if "Apple" in vendor or model.startswith("Apple"):
            cores = re.search(r"\d+", str(gpu.get("sppci_cores", "")))
            return int(cores.group()) if cores else None
    return None


class AppleProbe:
    name = "apple"

    def __init__(self, system: str, machine: str, runner: Runner) -> None:
        self._system = system
        self._machine = machine
        self._runner = runner

    def run(self) -> ProbeResult:
        if self._system != "Darwin":
            return absent(self.name, "not a Mac")
        if self._machine != "arm64":
            return absent(self.name, "an Intel Mac: no Apple Silicon unified memory")
        try:
            values = parse_sysctl(self._runner(SYSCTL_COMMAND))
            chip = values["machdep.cpu.brand_string"]
            memory = int(values["hw.memsize"])
        except (OSError, subprocess.SubprocessError, KeyError, ValueError) as exc:
            return failed(self.name, f"sysctl could not be read: {exc}", "sysctl")
        notes: list[str] = []
        try:
            cores = parse_gpu_cores(self._runner(PROFILER_COMMAND))
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            cores = None
            notes.append(f"GPU core count unknown (system_profiler failed: {exc})")
        info = AppleInfo(chip=chip, gpu_cores=cores, memory_bytes=memory, model=values.get("hw.model", ""))
        return found(self.name, info, "sysctl + system_profiler", notes)
