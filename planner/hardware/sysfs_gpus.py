"""AMD and Intel GPUs on Linux, read from /sys/class/drm/card*/device.

amdgpu exposes `mem_info_vram_total` (dedicated VRAM, or an APU's BIOS carve-out)
and `mem_info_gtt_total` (system memory the GPU may map). An APU with a small
carve-out really uses system RAM, so its memory is the system total plus the
carve-out, not the carve-out alone.
"""

from __future__ import annotations

import re
from pathlib import Path

from planner.hardware.pci_ids import NVIDIA, VENDORS, board_for
from planner.hardware.probe import GIB, GpuInfo, ProbeResult, absent, found

_CARD = re.compile(r"^card\d+$")
# A carve-out this small beside a larger GTT means the GPU lives in system RAM.
APU_CARVEOUT_LIMIT = 4 * GIB


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return None


def _read_int(path: Path) -> int | None:
    text = _read(path)
    return int(text) if text and text.isdigit() else None


def mem_total_bytes(root: Path) -> int | None:
    text = _read(root / "proc/meminfo") or ""
    match = re.search(r"^MemTotal:\s+(\d+)\s*kB", text, re.M)
    return int(match.group(1)) * 1024 if match else None


class SysfsGpuProbe:
    name = "sysfs"

    def __init__(self, system: str, root: Path = Path("/")) -> None:
        self._system = system
        self._root = root

    def run(self) -> ProbeResult:
        if self._system != "Linux":
            return absent(self.name, "sysfs exists only on Linux")
        drm = self._root / "sys/class/drm"
        try:
            cards = sorted(p for p in drm.iterdir() if _CARD.match(p.name))
        except OSError:
            return absent(self.name, f"{drm} is not readable (no GPU driver loaded?)", "sysfs")
        gpus: list[GpuInfo] = []
        notes: list[str] = []
        for card in cards:
            device = card / "device"
            vendor = (_read(device / "vendor") or "").lower()
            if vendor == NVIDIA:
                notes.append(f"{card.name}: NVIDIA device, read through NVML instead")
            elif vendor in VENDORS:
                gpus.append(self._gpu(device, vendor, len(gpus)))
        if not gpus:
            return absent(self.name, "no AMD or Intel GPU in /sys/class/drm", "sysfs")
        return found(self.name, tuple(gpus), "sysfs (/sys/class/drm)", notes)

    def _gpu(self, device: Path, vendor: str, index: int) -> GpuInfo:
        device_id = (_read(device / "device") or "").lower()
        vram = _read_int(device / "mem_info_vram_total")
        gtt = _read_int(device / "mem_info_gtt_total")
        pci_id = f"{vendor[2:]}:{device_id[2:]}"
        board = board_for(vendor, device_id, vram / GIB if vram else None)
        small_carveout = vram is not None and vram < APU_CARVEOUT_LIMIT and (gtt or 0) > vram
        unified = (board.unified if board else False) or small_carveout
        notes: list[str] = []
        memory = vram or 0
        if unified:
            system = mem_total_bytes(self._root) or gtt or 0
            memory = system + (vram or 0)
            notes.append(
                f"unified memory: {(vram or 0) / GIB:.1f} GiB carve-out + "
                f"{system / GIB:.1f} GiB system RAM (GTT {(gtt or 0) / GIB:.1f} GiB)"
            )
        elif vram is None:
            notes.append("VRAM size not exposed by this driver; enter it")
        product = _read(device / "product_name")
        name = product or (board.name if board else f"{VENDORS[vendor]} GPU (PCI {pci_id})")
        integrated = vendor != NVIDIA and board is None and vram is None
        return GpuInfo(
            name=name,
            vendor=VENDORS[vendor],
            memory_bytes=memory,
            source="sysfs",
            index=index,
            pci_id=pci_id,
            unified=unified,
            integrated=integrated and not unified,
            notes=tuple(notes),
        )
