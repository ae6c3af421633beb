"""PCIe links from recorded NVML readings and recorded sysfs trees."""

from __future__ import annotations

import json
from pathlib import Path

from planner.hardware.pcie import PcieLink, PcieProbe
from planner.hardware.probe import ABSENT, OK
from planner.hardware.recorded import RecordedNvml, load_recording

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hardware"


def _nvml(**link: int) -> RecordedNvml:
    recording = load_recording(FIXTURES / "nvml" / "rtx3060_12gb.json")
    recording["devices"][0].update(link)
    return RecordedNvml(recording)


def test_a_card_at_full_width_has_no_warning_even_when_idle_at_gen1() -> None:
    api = _nvml(curr_pcie_link_generation=1, curr_pcie_link_width=16, gpu_max_pcie_link_generation=4)
    result = PcieProbe(lambda: api, "Windows").run()
    assert result.status == OK
    (link,) = result.data
    assert (link.current_gen, link.current_width, link.max_gen, link.max_width) == (1, 16, 4, 16)
    assert link.warnings == ()
    assert link.usable_gbs == 31.5  # 4.0 x16


def test_a_card_at_x4_is_flagged_with_its_share_of_the_speed() -> None:
    api = _nvml(curr_pcie_link_generation=4, curr_pcie_link_width=4, gpu_max_pcie_link_generation=4)
    (link,) = PcieProbe(lambda: api, "Windows").run().data
    assert link.usable_gbs == 7.9
    assert any("x4 of x16" in w and "25%" in w for w in link.warnings)


def test_a_gen4_card_in_a_gen3_slot_is_flagged() -> None:
    link = PcieLink("RTX 4090", 3, 16, 3, 16, card_max_gen=4, source="NVML")
    assert any("supports PCIe 4.0 but the slot runs PCIe 3.0" in w for w in link.warnings)


def test_sysfs_reports_an_amd_card(tmp_path: Path) -> None:
    files = json.loads((FIXTURES / "sysfs" / "amd_rx7900xtx.json").read_text())["files"]
    files |= {  # the amdgpu link attributes, as Linux's PCI core writes them
        "sys/class/drm/card1/device/current_link_speed": "16.0 GT/s PCIe\n",
        "sys/class/drm/card1/device/current_link_width": "8\n",
        "sys/class/drm/card1/device/max_link_speed": "16.0 GT/s PCIe\n",
        "sys/class/drm/card1/device/max_link_width": "16\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    result = PcieProbe(None, "Linux", tmp_path).run()
    (link,) = result.data
    assert (link.current_gen, link.current_width, link.max_width, link.source) == (4, 8, 16, "sysfs")
    assert link.warnings and result.notes == link.warnings


def test_no_gpu_is_absent_with_a_reason(tmp_path: Path) -> None:
    result = PcieProbe(None, "Linux", tmp_path).run()
    assert result.status == ABSENT
    assert "no PCIe GPU link" in result.reason


def test_detect_prints_the_link_and_its_warning() -> None:
    from planner.commands.detect import render
    from planner.hardware.detect import Detection

    api = _nvml(curr_pcie_link_generation=4, curr_pcie_link_width=8, gpu_max_pcie_link_generation=4)
    text = render(Detection((PcieProbe(lambda: api, "Windows").run(),)), None)
    assert "PCIe: NVIDIA GeForce RTX 3060: PCIe 4.0 x8 now, up to PCIe 4.0 x16 (15.8 GB/s)" in text
    assert "warning: NVIDIA GeForce RTX 3060 runs at x8 of x16 lanes" in text
