"""AMD and Intel GPUs from recorded /sys/class/drm trees."""

from __future__ import annotations

import json
from pathlib import Path

from planner.hardware.probe import ABSENT, GIB, OK
from planner.hardware.sysfs_gpus import SysfsGpuProbe

SYSFS = Path(__file__).resolve().parents[1] / "fixtures" / "hardware" / "sysfs"


def tree(name: str, root: Path) -> Path:
    for rel, text in json.loads((SYSFS / name).read_text())["files"].items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_rx_7900_xtx(tmp_path: Path) -> None:
    result = SysfsGpuProbe("Linux", tree("amd_rx7900xtx.json", tmp_path)).run()
    assert result.status == OK
    (gpu,) = result.data
    assert gpu.name == "AMD Radeon RX 7900 XTX"
    assert gpu.vendor == "AMD"
    assert gpu.memory_bytes == 25753026560
    assert not gpu.unified
    assert gpu.pci_id == "1002:744c"


def test_apu_with_small_carveout_gets_its_unified_memory(tmp_path: Path) -> None:
    (gpu,) = SysfsGpuProbe("Linux", tree("amd_strix_halo.json", tmp_path)).run().data
    assert gpu.unified
    assert gpu.memory_gib > 120  # not the 0.5 GiB carve-out
    assert "carve-out" in gpu.notes[0]


def test_unknown_apu_is_recognised_by_its_carveout(tmp_path: Path) -> None:
    root = tree("amd_strix_halo.json", tmp_path)
    (root / "sys/class/drm/card1/device/device").write_text("0x9999\n")
    (gpu,) = SysfsGpuProbe("Linux", root).run().data
    assert gpu.unified
    assert gpu.name == "AMD GPU (PCI 1002:9999)"
    assert gpu.memory_bytes > 100 * GIB


def test_intel_igpu_is_integrated_and_nvidia_is_left_to_nvml(tmp_path: Path) -> None:
    result = SysfsGpuProbe("Linux", tree("intel_igpu_nvidia.json", tmp_path)).run()
    (gpu,) = result.data
    assert gpu.integrated
    assert "NVIDIA" in result.notes[0]


def test_no_drm_and_other_os_are_absent(tmp_path: Path) -> None:
    assert SysfsGpuProbe("Linux", tmp_path).run().status == ABSENT
    assert SysfsGpuProbe("Windows", tmp_path).run().status == ABSENT
