"""PCIe links of the GPUs: generation and width, current and maximum.

NVIDIA cards report through NVML; AMD and Intel cards through sysfs
(/sys/class/drm/card*/device/{current,max}_link_{speed,width}). A card at x4, or at
PCIe 3.0 in a 4.0 slot, silently halves host-to-GPU copies, which matters once layers or
experts sit in system RAM. Note that GPUs drop to a lower generation when idle to save
power, so a lower *current* generation at idle is normal; a narrower *width*, or a slot
whose maximum is below the card's, is not.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from planner.hardware.nvml_api import NvmlApi, NvmlError
from planner.hardware.pci_ids import NVIDIA, VENDORS
from planner.hardware.probe import ProbeResult, absent, found

# GB/s per lane after line encoding (8b/10b up to 2.0, 128b/130b from 3.0 on).
LANE_GBS = {1: 0.25, 2: 0.5, 3: 0.985, 4: 1.969, 5: 3.938, 6: 7.563}
GT_PER_GEN = {2.5: 1, 5.0: 2, 8.0: 3, 16.0: 4, 32.0: 5, 64.0: 6}
REFERENCE_GBS = LANE_GBS[4] * 16  # the calibration's pcie_gbs is for PCIe 4.0 x16


@dataclass(frozen=True)
class PcieLink:
    """One GPU's link. `max_gen`/`max_width` are what the link can reach in this slot;
    `card_max_gen` is what the card itself supports, when reported."""

    gpu: str
    current_gen: int | None
    current_width: int | None
    max_gen: int | None
    max_width: int | None
    card_max_gen: int | None = None
    source: str = ""

    @property
    def usable_gbs(self) -> float | None:
        """One-way bandwidth of the link at its best generation and its current width."""
        gen, width = self.max_gen or self.current_gen, self.current_width or self.max_width
        return round(LANE_GBS[gen] * width, 1) if gen in LANE_GBS and width else None

    @property
    def warnings(self) -> tuple[str, ...]:
        found: list[str] = []
        if self.current_width and self.max_width and self.current_width < self.max_width:
            found.append(
                f"{self.gpu} runs at x{self.current_width} of x{self.max_width} lanes: reseat it or move it to "
                "a full-width slot; host-to-GPU copies (offloaded layers and experts) run at "
                f"{self.current_width / self.max_width:.0%} speed"
            )
        if self.card_max_gen and self.max_gen and self.max_gen < self.card_max_gen:
            found.append(
                f"{self.gpu} supports PCIe {self.card_max_gen}.0 but the slot runs PCIe {self.max_gen}.0: "
                "check the BIOS PCIe setting or use a CPU-attached slot"
            )
        return tuple(found)

    def describe(self) -> str:
        current = f"PCIe {self.current_gen or '?'}.0 x{self.current_width or '?'}"
        best = f"PCIe {self.max_gen or '?'}.0 x{self.max_width or '?'}"
        text = f"{current} now, up to {best}"
        if self.usable_gbs:
            text += f" ({self.usable_gbs:g} GB/s)"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "usable_gbs": self.usable_gbs, "warnings": list(self.warnings)}


def _optional(call: Callable[[int], int], index: int) -> int | None:
    try:
        value = int(call(index))
    except (NvmlError, AttributeError):
        return None
    return value or None


def nvml_links(api: NvmlApi) -> list[PcieLink]:
    links = []
    for index in range(api.device_count()):
        links.append(
            PcieLink(
                gpu=api.name(index),
                current_gen=_optional(api.curr_pcie_generation, index),
                current_width=_optional(api.curr_pcie_width, index),
                max_gen=_optional(api.max_pcie_generation, index),
                max_width=_optional(api.max_pcie_width, index),
                card_max_gen=_optional(api.gpu_max_pcie_generation, index),
                source="NVML",
            )
        )
    return links


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _gen(speed: str) -> int | None:
    """'16.0 GT/s PCIe' -> 4."""
    match = re.match(r"([\d.]+)\s*GT/s", speed)
    return GT_PER_GEN.get(float(match.group(1))) if match else None


def _width(text: str) -> int | None:
    return int(text) if text.isdigit() and int(text) > 0 else None


def sysfs_links(root: Path = Path("/")) -> list[PcieLink]:
    """AMD and Intel GPUs' links from sysfs (NVIDIA ones come from NVML)."""
    drm = root / "sys/class/drm"
    try:
        cards = sorted(p for p in drm.iterdir() if re.fullmatch(r"card\d+", p.name))
    except OSError:
        return []
    links = []
    for card in cards:
        device = card / "device"
        vendor = _read(device / "vendor").lower()
        if vendor == NVIDIA or vendor not in VENDORS or not _read(device / "current_link_speed"):
            continue
        name = _read(device / "product_name") or f"{VENDORS[vendor]} GPU ({card.name})"
        links.append(
            PcieLink(
                gpu=name,
                current_gen=_gen(_read(device / "current_link_speed")),
                current_width=_width(_read(device / "current_link_width")),
                max_gen=_gen(_read(device / "max_link_speed")),
                max_width=_width(_read(device / "max_link_width")),
                source="sysfs",
            )
        )
    return links


class PcieProbe:
    name = "pcie"

    def __init__(self, api_factory: Callable[[], NvmlApi] | None, system: str, root: Path = Path("/")) -> None:
        self._api_factory = api_factory
        self._system = system
        self._root = root

    def run(self) -> ProbeResult:
        links: list[PcieLink] = []
        notes: list[str] = []
        if self._api_factory is not None:
            try:
                api = self._api_factory()
                api.init()
            except NvmlError as exc:
                notes.append(f"NVML: {exc.message}")
            else:
                try:
                    links += nvml_links(api)
                except NvmlError as exc:
                    notes.append(f"NVML: {exc.message}")
                finally:
                    with contextlib.suppress(NvmlError):
                        api.shutdown()
        if self._system == "Linux":
            links += sysfs_links(self._root)
        if not links:
            return absent(self.name, "no PCIe GPU link reported (" + ("; ".join(notes) or "no discrete GPU") + ")")
        notes += [w for link in links for w in link.warnings]
        return found(self.name, tuple(links), "NVML and sysfs", notes)
