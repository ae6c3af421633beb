"""RAM size, and speed/channels only where the OS gives them without admin rights."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from planner.core.units import GIB
from planner.hardware.memory import MemoryProbe, parse_dmidecode, parse_win32_physical_memory

MEMORY = Path(__file__).resolve().parents[1] / "fixtures" / "hardware" / "memory"


def totals() -> tuple[int, int]:
    return 32 * GIB, 20 * GIB


def test_dmidecode_gives_speed_and_channels() -> None:
    text = (MEMORY / "dmidecode_t17_dual_channel.txt").read_text()
    assert parse_dmidecode(text) == (3200, 2)


def test_windows_physical_memory() -> None:
    text = (MEMORY / "win32_physical_memory_ddr5.json").read_text()
    assert parse_win32_physical_memory(text) == (4800, 2)


def test_linux_without_root_says_unknown() -> None:
    def denied(command: Sequence[str]) -> str:
        raise subprocess.CalledProcessError(1, list(command), stderr="Permission denied")

    result = MemoryProbe("Linux", denied, totals).run()
    info = result.data
    assert info.total_bytes == 32 * GIB
    assert info.speed_mts is None and info.channels is None
    assert info.to_dict()["speed_mts"] == "unknown"
    assert "RAM speed unknown" in result.notes[0]


def test_linux_with_readable_dmidecode() -> None:
    text = (MEMORY / "dmidecode_t17_dual_channel.txt").read_text()
    info = MemoryProbe("Linux", lambda command: text, totals).run().data
    assert (info.speed_mts, info.channels, info.speed_source) == (3200, 2, "dmidecode")


def test_mac_speed_is_unknown() -> None:
    info = MemoryProbe("Darwin", lambda command: "", totals).run().data
    assert info.speed_mts is None
