"""PCI device ids of common AMD and Intel GPUs, for naming what sysfs reports.

One id often covers several boards (Navi 31 is the RX 7900 XTX, XT and GRE); the
board is then told apart by its VRAM. APUs share system memory (`unified`).
Ids are from the PCI ID Repository (https://pci-ids.ucw.cz/) and the amdgpu / i915
driver tables.
"""

from __future__ import annotations

from typing import NamedTuple

AMD = "0x1002"
INTEL = "0x8086"
NVIDIA = "0x10de"
VENDORS = {AMD: "AMD", INTEL: "Intel", NVIDIA: "NVIDIA"}


class Board(NamedTuple):
    name: str
    vram_gb: float | None
    unified: bool = False


BOARDS: dict[tuple[str, str], tuple[Board, ...]] = {
    (AMD, "0x744c"): (
        Board("AMD Radeon RX 7900 XTX", 24),
        Board("AMD Radeon RX 7900 XT", 20),
        Board("AMD Radeon RX 7900 GRE", 16),
    ),
    (AMD, "0x7448"): (Board("AMD Radeon PRO W7900", 48),),
    (AMD, "0x747e"): (Board("AMD Radeon RX 7800 XT", 16), Board("AMD Radeon RX 7700 XT", 12)),
    (AMD, "0x7480"): (Board("AMD Radeon RX 7600 XT", 16), Board("AMD Radeon RX 7600", 8)),
    # Strix Halo: the Radeon 8050S (Ryzen AI Max 385) shares this id with the 8060S.
    (AMD, "0x1586"): (Board("Strix Halo", None, unified=True),),
    (AMD, "0x150e"): (Board("AMD Radeon 890M/880M Graphics (Strix Point)", None, unified=True),),
    (AMD, "0x15bf"): (Board("AMD Radeon 780M/760M Graphics (Phoenix)", None, unified=True),),
    (AMD, "0x163f"): (Board("AMD Custom GPU 0405 (Van Gogh, Steam Deck)", None, unified=True),),
    (INTEL, "0x56a0"): (Board("Intel Arc A770", 16), Board("Intel Arc A770 8GB", 8)),
    (INTEL, "0x56a1"): (Board("Intel Arc A750", 8),),
    (INTEL, "0x56a5"): (Board("Intel Arc A380", 6),),
    (INTEL, "0x56a6"): (Board("Intel Arc A310", 4),),
    (INTEL, "0xe20b"): (Board("Intel Arc B580", 12),),
    (INTEL, "0xe20c"): (Board("Intel Arc B570", 10),),
}


def board_for(vendor: str, device: str, vram_gib: float | None) -> Board | None:
    """The board for a PCI id; several share one id, so the closest VRAM size wins."""
    boards = BOARDS.get((vendor.lower(), device.lower()))
    if not boards:
        return None
    if len(boards) == 1 or not vram_gib:
        return boards[0] if len(boards) == 1 else None
    return min(boards, key=lambda b: abs((b.vram_gb or 0) - vram_gib))
