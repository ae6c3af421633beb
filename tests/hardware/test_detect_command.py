"""`planner detect` output, over a recorded machine."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from planner.catalog.store import Catalog
from planner.commands import detect as command
from planner.hardware.detect import Detection
from planner.hardware.nvidia import NvidiaProbe
from planner.hardware.probe import CpuInfo, MemoryInfo, absent, found
from planner.hardware.recorded import RecordedNvml, load_recording

NVML = Path(__file__).resolve().parents[1] / "fixtures" / "hardware" / "nvml"


def recorded_machine() -> Detection:
    rec = load_recording(NVML / "mixed_4090_3060.json")
    cpu = CpuInfo("AMD Ryzen 7 5800X 8-Core Processor", "X86_64", "AuthenticAMD", 8, 16, ("avx2",))
    return Detection(
        (
            NvidiaProbe(lambda: RecordedNvml(rec)).run(),
            absent("apple", "not a Mac"),
            found("cpu", cpu, "py-cpuinfo + psutil"),
            found("memory", MemoryInfo(64 * 1024**3, 50 * 1024**3), "psutil"),
        )
    )


@pytest.fixture
def machine(monkeypatch: pytest.MonkeyPatch, catalog: Catalog) -> None:
    monkeypatch.setattr(command, "detect", lambda timeout_s: recorded_machine())
    monkeypatch.setattr(command, "open_catalog", lambda: catalog)


def args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command.register(parser.add_subparsers())
    return parser.parse_args(["detect", *argv])


def test_human_output(machine: None, capsys: pytest.CaptureFixture[str]) -> None:
    a = args()
    assert a.handler(a) == 0
    out = capsys.readouterr().out
    assert "NVIDIA GeForce RTX 4090: 24.0 GiB, 1008.1 GB/s, CC 8.9" in out
    assert "catalog: rtx-3060-12gb" in out
    assert "apple    absent" in out
    assert "This PC: 1 x NVIDIA GeForce RTX 4090, 1 x NVIDIA GeForce RTX 3060 12GB" in out


def test_json_output(machine: None, capsys: pytest.CaptureFixture[str]) -> None:
    a = args("--json", "--timeout", "3")
    assert a.handler(a) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["gpus"][0]["name"] == "NVIDIA GeForce RTX 4090"
    assert data["this_pc"]["name"] == "This PC"
    assert data["this_pc"]["matches"][1]["catalog_id"] == "rtx-3060-12gb"
