"""Apple Silicon from recorded sysctl and system_profiler output."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from planner.hardware.apple import AppleProbe
from planner.hardware.probe import ABSENT, OK, Runner

APPLE = Path(__file__).resolve().parents[1] / "fixtures" / "hardware" / "apple"


def mac(sysctl: str, profiler: str | None) -> Runner:
    def run(command: Sequence[str]) -> str:
        if command[0] == "sysctl":
            return (APPLE / sysctl).read_text()
        if profiler is None:
            raise subprocess.TimeoutExpired(list(command), 5.0)
        return (APPLE / profiler).read_text()

    return run


def test_m1_macbook_air() -> None:
    runner = mac("sysctl_m1_macbook_air.txt", "system_profiler_m1.json")
    result = AppleProbe("Darwin", "arm64", runner).run()
    assert result.status == OK
    info = result.data
    assert info.catalog_name == "Apple M1 (8-core GPU)"
    assert info.memory_bytes == 16 * 1024**3
    assert info.model == "MacBookAir10,1"


def test_m3_max() -> None:
    runner = mac("sysctl_m3_max_macbook_pro.txt", "system_profiler_m3_max.json")
    info = AppleProbe("Darwin", "arm64", runner).run().data
    assert info.catalog_name == "Apple M3 Max (40-core GPU)"
    assert info.memory_bytes == 48 * 1024**3


def test_system_profiler_timing_out_keeps_the_chip() -> None:
    runner = mac("sysctl_m1_macbook_air.txt", None)
    result = AppleProbe("Darwin", "arm64", runner).run()
    assert result.status == OK
    assert result.data.gpu_cores is None
    assert "GPU core count unknown" in result.notes[0]


def test_not_a_mac_and_intel_mac_are_absent() -> None:
    runner = mac("sysctl_m1_macbook_air.txt", None)
    assert AppleProbe("Linux", "x86_64", runner).run().status == ABSENT
    assert "Intel Mac" in AppleProbe("Darwin", "x86_64", runner).run().reason
