"""The CPU: brand, architecture and SIMD flags from py-cpuinfo; core counts from psutil."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from planner.hardware.probe import CpuInfo, ProbeResult, failed, found

CpuInfoReader = Callable[[], dict[str, Any]]
CoreCounter = Callable[[bool], int | None]


def py_cpuinfo_reader() -> dict[str, Any]:
    """py-cpuinfo's dict; ImportError if the package is missing."""
    module = importlib.import_module("cpuinfo")
    info: dict[str, Any] = module.get_cpu_info()
    return info


def psutil_counter(logical: bool) -> int | None:
    psutil = importlib.import_module("psutil")
    count: int | None = psutil.cpu_count(logical=logical)
    return count


def parse_proc_cpuinfo(text: str) -> dict[str, Any]:
    """The first processor block of /proc/cpuinfo, in py-cpuinfo's key names."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            if fields:
                break
            continue
        key, _, value = line.partition(":")
        fields.setdefault(key.strip().lower(), value.strip())
    flags = fields.get("flags") or fields.get("features") or ""
    brand = fields.get("model name") or fields.get("hardware") or fields.get("cpu model") or ""
    if not brand and "cpu implementer" in fields:
        brand = f"ARM CPU (implementer {fields['cpu implementer']}, part {fields.get('cpu part')})"
    arm = "features" in fields and "flags" not in fields
    return {
        "brand_raw": brand,
        "vendor_id_raw": fields.get("vendor_id", ""),
        "arch": "ARM_8" if arm else "X86_64",
        "flags": sorted(flags.split()),
    }


def proc_cpuinfo_reader(root: Path = Path("/")) -> CpuInfoReader:
    return lambda: parse_proc_cpuinfo((root / "proc/cpuinfo").read_text(encoding="utf-8"))


class CpuProbe:
    """py-cpuinfo first; /proc/cpuinfo when py-cpuinfo is missing or fails."""

    name = "cpu"

    def __init__(
        self,
        readers: tuple[tuple[str, CpuInfoReader], ...] = (
            ("py-cpuinfo", py_cpuinfo_reader),
            ("/proc/cpuinfo", proc_cpuinfo_reader()),
        ),
        counter: CoreCounter = psutil_counter,
    ) -> None:
        self._readers = readers
        self._counter = counter

    def run(self) -> ProbeResult:
        problems: list[str] = []
        for method, reader in self._readers:
            try:
                info = reader()
            except ImportError:
                problems.append(f"{method}: package not installed")
                continue
            except (OSError, ValueError, KeyError) as exc:
                problems.append(f"{method}: {exc}")
                continue
            if info.get("brand_raw"):
                cpu = self._cpu(info)
                return found(self.name, cpu, f"{method} + psutil", problems)
            problems.append(f"{method}: no brand string")
        return failed(self.name, "CPU not identified: " + "; ".join(problems))

    def _cpu(self, info: dict[str, Any]) -> CpuInfo:
        return CpuInfo(
            brand=str(info["brand_raw"]).strip(),
            arch=str(info.get("arch", "")),
            vendor=str(info.get("vendor_id_raw", "")),
            cores=self._count(False),
            threads=self._count(True),
            flags=tuple(sorted(str(f).lower() for f in info.get("flags", []))),
        )

    def _count(self, logical: bool) -> int | None:
        try:
            return self._counter(logical)
        except (ImportError, OSError):
            return None
