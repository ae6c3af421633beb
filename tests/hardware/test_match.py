"""Detected devices to catalog entries, and "This PC" as a Build."""

from __future__ import annotations

import json
from pathlib import Path

from planner.catalog.store import Catalog
from planner.core.units import GIB
from planner.hardware.detect import Detection
from planner.hardware.match import match_gpu, this_pc
from planner.hardware.nvidia import NvidiaProbe
from planner.hardware.probe import AppleInfo, CpuInfo, GpuInfo, MemoryInfo, found
from planner.hardware.recorded import RecordedNvml, load_recording

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hardware"
RYZEN = CpuInfo("AMD Ryzen 7 5800X 8-Core Processor", "X86_64", "AuthenticAMD", 8, 16, ("avx2",))
RAM = MemoryInfo(int(31.3 * GIB), 20 * GIB)


def nvml_detection(name: str, cpu: CpuInfo = RYZEN) -> Detection:
    rec = load_recording(FIXTURES / "nvml" / f"{name}.json")
    result = NvidiaProbe(lambda: RecordedNvml(rec)).run()
    return Detection((result, found("cpu", cpu, "test"), found("memory", RAM, "test")))


def test_rtx3060_12gb_is_the_12gb_card_not_the_8gb(catalog: Catalog) -> None:
    pc = this_pc(nvml_detection("rtx3060_12gb"), catalog)
    (match,) = pc.gpu_matches
    assert match.catalog_id == "rtx-3060-12gb"
    assert pc.build.gpus[0].accelerator.memory_gb == 12


def test_8gb_3060_is_the_8gb_card(catalog: Catalog) -> None:
    gpu = GpuInfo("NVIDIA GeForce RTX 3060", "NVIDIA", 8589934592, "nvml")
    assert match_gpu(catalog, gpu).catalog_id == "rtx-3060-8gb"


def test_recorded_cards_match_their_catalog_entries(catalog: Catalog) -> None:
    ids = {
        name: this_pc(nvml_detection(name), catalog).gpu_matches[0].catalog_id
        for name in ("rtx3090", "rtx4090", "h100_pcie")
    }
    assert ids == {"rtx3090": "rtx-3090", "rtx4090": "rtx-4090", "h100_pcie": "h100-pcie-80gb"}


def test_two_identical_gpus_make_one_group_of_two(catalog: Catalog) -> None:
    build = this_pc(nvml_detection("dual_3090"), catalog).build
    assert [(g.accelerator.id, g.count) for g in build.gpus] == [("rtx-3090", 2)]
    assert build.gpu_count == 2


def test_mixed_gpus_make_two_groups(catalog: Catalog) -> None:
    build = this_pc(nvml_detection("mixed_4090_3060"), catalog).build
    assert [(g.accelerator.id, g.count) for g in build.gpus] == [
        ("rtx-4090", 1),
        ("rtx-3060-12gb", 1),
    ]


def test_this_pc_is_a_build_with_catalog_cpu_and_ram(catalog: Catalog) -> None:
    pc = this_pc(nvml_detection("rtx3060_12gb"), catalog)
    assert pc.build.name == "This PC"
    assert pc.build.cpu.id == "ryzen-7-5800x"
    assert pc.build.ram_gb == 31.3
    assert pc.cpu_in_catalog
    json.dumps(pc.to_dict())


def test_unknown_gpu_becomes_a_flagged_custom_entry(catalog: Catalog) -> None:
    gpu = GpuInfo(
        "NVIDIA Future GPU 9999",
        "NVIDIA",
        34359738368,
        "nvml",
        bus_width_bits=512,
        max_memory_clock_mhz=14001,
        shader_cores=21760,
        max_graphics_clock_mhz=2407,
        power_limit_w=575.0,
    )
    match = match_gpu(catalog, gpu)
    assert not match.in_catalog
    assert match.accelerator.bandwidth_gbs == 1792.1  # 512/8 x 14001 x 2
    assert match.accelerator.memory_gb == 32
    assert "not in catalog" in match.note


def test_unknown_cpu_becomes_a_custom_cpu_with_guesses_flagged(catalog: Catalog) -> None:
    cpu = CpuInfo("Imaginary CPU 12-Core", "X86_64", "", 12, 24, ("avx2", "avx512f"))
    pc = this_pc(nvml_detection("rtx3090", cpu), catalog)
    assert not pc.cpu_in_catalog
    assert (pc.build.cpu.cores, pc.build.cpu.avx512) == (12, True)
    assert any("guessed" in note for note in pc.notes)


def test_strix_halo_uses_its_unified_memory(catalog: Catalog) -> None:
    gpu = GpuInfo("Strix Halo", "AMD", int(126.9 * GIB), "sysfs", unified=True)
    match = match_gpu(catalog, gpu)
    assert match.catalog_id == "strix-halo-395"
    assert match.accelerator.unified
    assert match.accelerator.memory_gb == 126.9


def test_apple_m3_max_build(catalog: Catalog) -> None:
    apple = AppleInfo("Apple M3 Max", 40, 48 * GIB, "Mac15,9")
    detection = Detection((found("apple", apple, "test"), found("memory", MemoryInfo(48 * GIB, 30 * GIB), "t")))
    build = this_pc(detection, catalog).build
    (group,) = build.gpus
    assert group.accelerator.id == "m3-max-40c"
    assert group.accelerator.unified
    assert build.unified_memory_gb == 48
    assert build.is_unified


def test_integrated_graphics_are_left_out(catalog: Catalog) -> None:
    igpu = GpuInfo("Intel GPU (PCI 8086:4680)", "Intel", 0, "sysfs", integrated=True)
    detection = Detection((found("sysfs", (igpu,), "sysfs"),))
    pc = this_pc(detection, catalog)
    assert pc.build.gpus == ()
    assert any("integrated" in note for note in pc.notes)
