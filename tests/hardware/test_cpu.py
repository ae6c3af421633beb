"""The CPU probe over recorded py-cpuinfo results and /proc/cpuinfo text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from planner.hardware.cpu import CpuProbe, parse_proc_cpuinfo
from planner.hardware.probe import ERROR, OK

CPU = Path(__file__).resolve().parents[1] / "fixtures" / "hardware" / "cpu"


def py_cpuinfo(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CPU / name).read_text())
    return data


def counts(cores: int, threads: int) -> Any:
    return lambda logical: threads if logical else cores


def test_py_cpuinfo_ryzen_5800x() -> None:
    probe = CpuProbe((("py-cpuinfo", lambda: py_cpuinfo("py_cpuinfo_ryzen7_5800x.json")),), counts(8, 16))
    result = probe.run()
    assert result.status == OK
    cpu = result.data
    assert cpu.brand == "AMD Ryzen 7 5800X 8-Core Processor"
    assert (cpu.cores, cpu.threads) == (8, 16)
    assert cpu.avx2 and not cpu.avx512 and not cpu.neon


def test_apple_m1_has_neon() -> None:
    probe = CpuProbe((("py-cpuinfo", lambda: py_cpuinfo("py_cpuinfo_apple_m1.json")),), counts(8, 8))
    cpu = probe.run().data
    assert cpu.brand == "Apple M1"
    assert cpu.neon


def test_proc_cpuinfo_epyc_has_avx2_and_no_avx512() -> None:
    info = parse_proc_cpuinfo((CPU / "proc_cpuinfo_epyc7763.txt").read_text())
    assert info["brand_raw"] == "AMD EPYC 7763 64-Core Processor"
    assert "avx2" in info["flags"] and "avx512f" not in info["flags"]


def test_proc_cpuinfo_arm_server_has_neon() -> None:
    text = (CPU / "proc_cpuinfo_ampere_altra.txt").read_text()
    probe = CpuProbe((("/proc/cpuinfo", lambda: parse_proc_cpuinfo(text)),), counts(2, 2))
    cpu = probe.run().data
    assert cpu.neon
    assert "0xd0c" in cpu.brand


def test_missing_py_cpuinfo_falls_back_to_proc_cpuinfo() -> None:
    def missing() -> dict[str, Any]:
        raise ImportError("No module named 'cpuinfo'")

    text = (CPU / "proc_cpuinfo_epyc7763.txt").read_text()
    probe = CpuProbe(
        (("py-cpuinfo", missing), ("/proc/cpuinfo", lambda: parse_proc_cpuinfo(text))),
        counts(2, 4),
    )
    result = probe.run()
    assert result.status == OK
    assert result.method == "/proc/cpuinfo + psutil"
    assert result.notes == ("py-cpuinfo: package not installed",)


def test_every_reader_failing_is_an_error_with_reasons() -> None:
    def unreadable() -> dict[str, Any]:
        raise PermissionError("permission denied: /proc/cpuinfo")

    result = CpuProbe((("/proc/cpuinfo", unreadable),), counts(1, 1)).run()
    assert result.status == ERROR
    assert "permission denied" in result.reason
