"""GPUs on Windows: names from WMI, VRAM from the display-class registry keys.

Win32_VideoController.AdapterRAM is a 32-bit field: every card with 4 GiB or more
reads 4293918720 (0xFFF00000) or wraps. The driver's 64-bit figure is the registry
value HardwareInformation.qwMemorySize under
HKLM\\SYSTEM\\CurrentControlSet\\Control\\Class\\{4d36e968-e325-11ce-bfc1-08002be10318}\\NNNN.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

from planner.hardware.probe import GpuInfo, ProbeResult, Runner, absent, failed, found

DISPLAY_CLASS = r"HKLM:\SYSTEM\CurrentControlSet\Control\Class\{4d36e968-e325-11ce-bfc1-08002be10318}"
WMI_COMMAND = (
    "powershell",
    "-NoProfile",
    "-Command",
    "Get-CimInstance Win32_VideoController | Select-Object "
    "Name,AdapterCompatibility,AdapterRAM,PNPDeviceID,DriverVersion | ConvertTo-Json",
)
REGISTRY_COMMAND = (
    "powershell",
    "-NoProfile",
    "-Command",
    f"Get-ItemProperty -Path '{DISPLAY_CLASS}\\0*' -ErrorAction SilentlyContinue | "
    "Select-Object PSChildName,DriverDesc,MatchingDeviceId,"
    "'HardwareInformation.qwMemorySize' | ConvertTo-Json",
)
QW_KEY = "HardwareInformation.qwMemorySize"
_VENDOR_WORDS = (
    ("NVIDIA", "NVIDIA"),
    ("AMD", "AMD"),
    ("Advanced Micro", "AMD"),
    ("Intel", "Intel"),
)
_SOFTWARE_ADAPTERS = ("Microsoft Basic", "Microsoft Remote", "Parsec", "Virtual Display")


def _rows(text: str) -> list[dict[str, Any]]:
    """ConvertTo-Json prints one object bare and several as a list."""
    text = text.strip()
    if not text:
        return []
    data = json.loads(text)
    return data if isinstance(data, list) else [data]


def qword(value: Any) -> int | None:
    """REG_QWORD comes as a number; some drivers write REG_BINARY (a byte list)."""
    if isinstance(value, int):
        return value
    if isinstance(value, list) and value:
        return int.from_bytes(bytes(int(b) & 0xFF for b in value[:8]), "little")
    return None


def _vendor(row: dict[str, Any]) -> str:
    text = f"{row.get('AdapterCompatibility') or ''} {row.get('Name') or ''}"
    return next((vendor for word, vendor in _VENDOR_WORDS if word in text), "Unknown")


def merge(controllers: list[dict[str, Any]], registry: list[dict[str, Any]]) -> list[GpuInfo]:
    """One GpuInfo per WMI controller; each takes the next unused registry key of its name,
    so two identical cards stay two cards."""
    unused = [r for r in registry if qword(r.get(QW_KEY))]
    gpus: list[GpuInfo] = []
    for row in controllers:
        name = str(row.get("Name") or "").strip()
        if not name or name.startswith(_SOFTWARE_ADAPTERS):
            continue
        key = next((r for r in unused if str(r.get("DriverDesc", "")).strip() == name), None)
        notes: list[str] = []
        wmi_bytes = int(row.get("AdapterRAM") or 0) & 0xFFFFFFFF
        if key is not None:
            unused.remove(key)
            memory = qword(key.get(QW_KEY)) or 0
            if memory != wmi_bytes:
                notes.append(f"VRAM from the registry (WMI AdapterRAM reads {wmi_bytes} bytes)")
        else:
            memory = wmi_bytes
            notes.append("VRAM from WMI AdapterRAM, which is capped at 4 GiB")
        gpus.append(
            GpuInfo(
                name=name,
                vendor=_vendor(row),
                memory_bytes=memory,
                source="wmi",
                index=len(gpus),
                pci_id=str(row.get("PNPDeviceID") or ""),
                notes=tuple(notes),
            )
        )
    return gpus


class WindowsGpuProbe:
    name = "windows"

    def __init__(self, system: str, runner: Runner) -> None:
        self._system = system
        self._runner = runner

    def run(self) -> ProbeResult:
        if self._system != "Windows":
            return absent(self.name, "not Windows")
        try:
            controllers = _rows(self._runner(WMI_COMMAND))
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            return failed(self.name, f"WMI query failed: {exc}", "WMI")
        notes: list[str] = []
        try:
            registry = _rows(self._runner(REGISTRY_COMMAND))
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            registry = []
            notes.append(f"registry not readable ({exc}); VRAM above 4 GiB may read as 4 GiB")
        gpus = merge(controllers, registry)
        if not gpus:
            return absent(self.name, "WMI lists no display adapter", "WMI")
        return found(self.name, tuple(gpus), "WMI + registry (qwMemorySize)", notes)
