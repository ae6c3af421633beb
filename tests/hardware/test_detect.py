"""Running probes together: a hung or crashing probe never blocks the others."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from planner.hardware.detect import Detection, detect
from planner.hardware.nvidia import NvidiaProbe
from planner.hardware.probe import ERROR, OK, TIMEOUT, GpuInfo, ProbeResult, found
from planner.hardware.recorded import RecordedNvml, load_recording

NVML = Path(__file__).resolve().parents[1] / "fixtures" / "hardware" / "nvml"


class Hung:
    name = "hung"

    def __init__(self, release: threading.Event) -> None:
        self._release = release

    def run(self) -> ProbeResult:
        self._release.wait(10)
        return found(self.name, None, "never seen")


class Crashing:
    name = "crashing"

    def run(self) -> ProbeResult:
        raise RuntimeError("bug in a probe")


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()  # let the abandoned probe thread finish


def nvidia() -> NvidiaProbe:
    rec = load_recording(NVML / "rtx3060_12gb.json")
    return NvidiaProbe(lambda: RecordedNvml(rec))


def test_hung_probe_times_out_and_others_report(release: threading.Event) -> None:
    detection = detect([Hung(release), nvidia()], timeout_s=0.05)
    hung, nv = detection.results
    assert hung.status == TIMEOUT
    assert "hung" in hung.reason
    assert nv.status == OK
    assert detection.gpus[0].name == "NVIDIA GeForce RTX 3060"


def test_crashing_probe_is_an_error_result(caplog: pytest.LogCaptureFixture) -> None:
    detection = detect([Crashing(), nvidia()], timeout_s=5)
    crashed = detection.result("crashing")
    assert crashed is not None and crashed.status == ERROR
    assert "bug in a probe" in crashed.reason
    assert detection.result("nvidia") is not None


def test_nvml_wins_over_wmi_for_nvidia_cards() -> None:
    nv = GpuInfo("NVIDIA GeForce RTX 4090", "NVIDIA", 25757220864, "nvml")
    wmi = GpuInfo("NVIDIA GeForce RTX 4090", "NVIDIA", 25757220864, "wmi")
    amd = GpuInfo("AMD Radeon RX 7900 XTX", "AMD", 25753026560, "wmi")
    detection = Detection((found("nvidia", (nv,), "NVML"), found("windows", (wmi, amd), "WMI")))
    assert [g.source for g in detection.gpus] == ["nvml", "wmi"]
    assert [g.vendor for g in detection.gpus] == ["NVIDIA", "AMD"]


def test_to_dict_is_json() -> None:
    detection = detect([nvidia()], timeout_s=5)
    data = json.loads(json.dumps(detection.to_dict()))
    assert data["gpus"][0]["bandwidth_gbs"] == 360.0
    assert data["probes"][0]["status"] == "ok"
