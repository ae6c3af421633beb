"""System RAM: size from psutil; speed and channels only where readable without root.

On Linux `dmidecode -t 17` needs root on most systems, so it usually fails and speed
stays "unknown" for the user to fill in. On Windows Win32_PhysicalMemory is readable
by any user.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
from collections.abc import Callable

from planner.hardware.probe import MemoryInfo, ProbeResult, Runner, failed, found

Totals = Callable[[], tuple[int, int]]


def psutil_totals() -> tuple[int, int]:
    memory = importlib.import_module("psutil").virtual_memory()
    return int(memory.total), int(memory.available)


_SPEED = re.compile(r"^\s*(?:Configured (?:Memory|Clock) Speed|Speed):\s*(\d+)\s*MT/s", re.M)
_CHANNEL = re.compile(r"CHANNEL\s*([A-H])\b|Channel([A-H])-", re.I)


def parse_dmidecode(text: str) -> tuple[int | None, int | None]:
    """(MT/s, channels) from `dmidecode -t 17`; only populated DIMMs count."""
    speeds: list[int] = []
    channels: set[str] = set()
    for block in text.split("Memory Device")[1:]:
        if re.search(r"^\s*Size:\s*No Module Installed", block, re.M):
            continue
        configured = re.search(r"Configured (?:Memory|Clock) Speed:\s*(\d+)\s*MT/s", block)
        speed = configured or _SPEED.search(block)
        if speed:
            speeds.append(int(speed.group(1)))
        channel = _CHANNEL.search(block)
        if channel:
            channels.add((channel.group(1) or channel.group(2)).upper())
    return (min(speeds) if speeds else None, len(channels) or None)


def parse_win32_physical_memory(text: str) -> tuple[int | None, int | None]:
    """(MT/s, channels) from Win32_PhysicalMemory as JSON (ConvertTo-Json)."""
    data = json.loads(text)
    sticks = data if isinstance(data, list) else [data]
    speeds = [int(s.get("ConfiguredClockSpeed") or s.get("Speed") or 0) for s in sticks]
    speeds = [s for s in speeds if s > 0]
    # Two or more sticks on a desktop board run in dual channel; more needs the board.
    channels = min(len(sticks), 2) if sticks else None
    return (min(speeds) if speeds else None, channels)


WINDOWS_MEMORY_COMMAND = (
    "powershell",
    "-NoProfile",
    "-Command",
    "Get-CimInstance Win32_PhysicalMemory | "
    "Select-Object Capacity,Speed,ConfiguredClockSpeed,DeviceLocator | ConvertTo-Json",
)


class MemoryProbe:
    name = "memory"

    def __init__(self, system: str, runner: Runner, totals: Totals = psutil_totals) -> None:
        self._system = system
        self._runner = runner
        self._totals = totals

    def run(self) -> ProbeResult:
        try:
            total, available = self._totals()
        except ImportError:
            return failed(self.name, "RAM size unknown: psutil is not installed")
        speed, channels, source, notes = self._speed()
        info = MemoryInfo(total, available, speed, channels, source)
        return found(self.name, info, "psutil", notes)

    def _speed(self) -> tuple[int | None, int | None, str, list[str]]:
        if self._system == "Linux":
            command: tuple[str, ...] = ("dmidecode", "-t", "17")
            parse = parse_dmidecode
        elif self._system == "Windows":
            command, parse = WINDOWS_MEMORY_COMMAND, parse_win32_physical_memory
        else:
            return None, None, "unknown", ["RAM speed is not exposed on this OS; enter it"]
        try:
            speed, channels = parse(self._runner(command))
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            note = f"RAM speed unknown ({command[0]} not readable without admin rights: {exc})"
            return None, None, "unknown", [note]
        return speed, channels, command[0] if speed else "unknown", []
