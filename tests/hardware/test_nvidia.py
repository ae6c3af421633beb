"""The NVML probe, replaying recorded devices and every NVML failure mode."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from planner.hardware.nvidia import NvidiaProbe
from planner.hardware.nvml_api import (
    ERROR_DRIVER_NOT_LOADED,
    ERROR_GPU_IS_LOST,
    ERROR_LIB_RM_VERSION_MISMATCH,
    ERROR_LIBRARY_NOT_FOUND,
    ERROR_NO_PERMISSION,
    ERROR_NOT_SUPPORTED,
    NvmlError,
)
from planner.hardware.nvml_pynvml import PynvmlApi
from planner.hardware.probe import ABSENT, ERROR, OK
from planner.hardware.recorded import RecordedNvml, load_recording

NVML = Path(__file__).resolve().parents[1] / "fixtures" / "hardware" / "nvml"


def recording(name: str) -> dict[str, Any]:
    return load_recording(NVML / f"{name}.json")


def probe_for(rec: dict[str, Any], in_container: bool = False) -> NvidiaProbe:
    return NvidiaProbe(lambda: RecordedNvml(rec), lambda: in_container)


def test_rtx3060_12gb_reports_every_figure() -> None:
    result = probe_for(recording("rtx3060_12gb")).run()
    assert result.status == OK
    assert result.method == "NVML (driver 550.54.14, CUDA 12.4)"
    (gpu,) = result.data
    assert gpu.name == "NVIDIA GeForce RTX 3060"
    assert gpu.memory_bytes == 12884901888
    assert gpu.memory_gib == 12.0
    assert (gpu.bus_width_bits, gpu.max_memory_clock_mhz) == (192, 7501)
    assert gpu.bandwidth_gbs == 360.0
    assert (gpu.sm_count, gpu.compute_capability) == (28, "8.6")
    assert gpu.power_limit_w == 170.0
    assert (gpu.pcie_gen, gpu.pcie_width) == (4, 16)
    assert gpu.uuid.startswith("GPU-")


@pytest.mark.parametrize(
    ("name", "gpu_name", "bandwidth", "cc"),
    [
        ("rtx3090", "NVIDIA GeForce RTX 3090", 936.0, "8.6"),
        ("rtx4090", "NVIDIA GeForce RTX 4090", 1008.0, "8.9"),
        ("h100_pcie", "NVIDIA H100 PCIe", 2039.0, "9.0"),
    ],
)
def test_recorded_cards_give_their_real_bandwidth(name: str, gpu_name: str, bandwidth: float, cc: str) -> None:
    (gpu,) = probe_for(recording(name)).run().data
    assert gpu.name == gpu_name
    assert gpu.bandwidth_gbs == pytest.approx(bandwidth, abs=0.5)
    assert gpu.compute_capability == cc


def test_two_identical_gpus_are_two_devices() -> None:
    gpus = probe_for(recording("dual_3090")).run().data
    assert [g.index for g in gpus] == [0, 1]
    assert len({g.uuid for g in gpus}) == 2


def test_mixed_gpus_keep_their_own_figures() -> None:
    gpus = probe_for(recording("mixed_4090_3060")).run().data
    assert [(g.name, round(g.memory_gib)) for g in gpus] == [
        ("NVIDIA GeForce RTX 4090", 24),
        ("NVIDIA GeForce RTX 3060", 12),
    ]


def test_library_missing_is_a_reason_not_an_exception() -> None:
    rec = {**recording("rtx3060_12gb"), "init_error": ERROR_LIBRARY_NOT_FOUND}
    result = probe_for(rec).run()
    assert result.status == ABSENT
    assert result.reason == "no NVIDIA GPU detected: NVML library not found"


def test_pynvml_package_missing_reads_as_library_not_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", None)
    result = NvidiaProbe(PynvmlApi).run()
    assert result.status == ABSENT
    assert "NVML library not found" in result.reason


def test_real_pynvml_without_a_driver_is_absent() -> None:
    pynvml = pytest.importorskip("pynvml")
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError:
        pass
    else:  # pragma: no cover - only on machines with a driver
        pynvml.nvmlShutdown()
        pytest.skip("this machine has an NVIDIA driver")
    result = NvidiaProbe(PynvmlApi).run()
    assert result.status in (ABSENT, ERROR)
    assert result.reason


def test_driver_library_mismatch_says_reboot() -> None:
    rec = {**recording("rtx3090"), "init_error": ERROR_LIB_RM_VERSION_MISMATCH}
    result = probe_for(rec).run()
    assert result.status == ERROR
    assert "version mismatch" in result.reason
    assert "restart" in result.reason


def test_driver_not_loaded_is_absent() -> None:
    rec = {**recording("rtx3090"), "init_error": ERROR_DRIVER_NOT_LOADED}
    assert "driver is not loaded" in probe_for(rec).run().reason


def test_permission_denied_names_the_fix() -> None:
    rec = {**recording("rtx4090"), "init_error": ERROR_NO_PERMISSION}
    result = probe_for(rec).run()
    assert result.status == ERROR
    assert "permission denied" in result.reason


def test_container_without_gpu_access_says_so() -> None:
    rec = {**recording("rtx4090"), "init_error": ERROR_LIBRARY_NOT_FOUND}
    result = probe_for(rec, in_container=True).run()
    assert result.status == ABSENT
    assert "NVML library not found" in result.reason
    assert "container" in result.reason


def test_container_with_driver_but_no_devices_is_absent() -> None:
    rec = {**recording("rtx4090"), "devices": []}
    result = probe_for(rec, in_container=True).run()
    assert result.status == ABSENT
    assert "no GPU is visible in this container" in result.reason


def test_unsupported_fields_become_none_and_sm_count_is_derived() -> None:
    rec = recording("rtx3060_12gb")
    rec["devices"][0]["errors"] = {
        "memory_bus_width": ERROR_NOT_SUPPORTED,
        "multiprocessor_count": ERROR_NOT_SUPPORTED,
    }
    (gpu,) = probe_for(rec).run().data
    assert gpu.bus_width_bits is None
    assert gpu.bandwidth_gbs is None
    assert gpu.sm_count == 28  # 3584 CUDA cores / 128 per SM on CC 8.6


def test_gpu_lost_while_reading_keeps_the_others() -> None:
    rec = recording("dual_3090")
    rec["devices"][1]["errors"] = {"memory": ERROR_GPU_IS_LOST}
    result = probe_for(rec).run()
    assert result.status == OK
    assert len(result.data) == 1
    assert "GPU 1" in result.notes[0]


def test_other_nvml_errors_are_reported_with_their_code() -> None:
    class Broken(RecordedNvml):
        def device_count(self) -> int:
            raise NvmlError(999, "Unknown Error")

    result = NvidiaProbe(lambda: Broken(recording("rtx3090"))).run()
    assert result.status == ERROR
    assert "Unknown Error" in result.reason
