"""Windows GPUs: WMI names, registry VRAM (the 4 GB AdapterRAM cap)."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from planner.hardware.probe import OK, Runner
from planner.hardware.windows import REGISTRY_COMMAND, WMI_COMMAND, WindowsGpuProbe, qword

WINDOWS = Path(__file__).resolve().parents[1] / "fixtures" / "hardware" / "windows"


def windows(wmi: str, registry: str | None) -> Runner:
    def run(command: Sequence[str]) -> str:
        if tuple(command) == WMI_COMMAND:
            return (WINDOWS / wmi).read_text()
        assert tuple(command) == REGISTRY_COMMAND
        if registry is None:
            raise subprocess.CalledProcessError(1, list(command), stderr="Access is denied.")
        return (WINDOWS / registry).read_text()

    return run


def test_registry_corrects_the_4gb_wmi_cap() -> None:
    runner = windows("wmi_rtx4090_uhd770.json", "registry_rtx4090_uhd770.json")
    result = WindowsGpuProbe("Windows", runner).run()
    assert result.status == OK
    rtx, uhd = result.data
    assert rtx.name == "NVIDIA GeForce RTX 4090"
    assert rtx.memory_bytes == 25757220864
    assert "4293918720" in rtx.notes[0]
    assert (uhd.vendor, uhd.memory_bytes) == ("Intel", 134217728)


def test_two_identical_gpus_are_two_with_full_vram() -> None:
    runner = windows("wmi_dual_rtx3090.json", "registry_dual_rtx3090.json")
    gpus = WindowsGpuProbe("Windows", runner).run().data
    assert len(gpus) == 2
    assert [g.memory_bytes for g in gpus] == [25769803776, 25769803776]


def test_a_single_adapter_is_a_bare_json_object() -> None:
    runner = windows("wmi_rx7900xtx_single.json", "registry_dual_rtx3090.json")
    (gpu,) = WindowsGpuProbe("Windows", runner).run().data
    assert gpu.vendor == "AMD"
    assert gpu.memory_bytes == 4293918720  # no registry key of that name: WMI's figure
    assert "capped" in gpu.notes[0]


def test_unreadable_registry_is_a_note() -> None:
    result = WindowsGpuProbe("Windows", windows("wmi_rtx4090_uhd770.json", None)).run()
    assert result.status == OK
    assert "registry not readable" in result.notes[0]


def test_reg_binary_qword() -> None:
    assert qword([0, 0, 0, 0, 6, 0, 0, 0]) == 24 * 1024**3
    assert qword(None) is None


def test_not_windows() -> None:
    assert WindowsGpuProbe("Linux", windows("x", None)).run().reason == "not Windows"
