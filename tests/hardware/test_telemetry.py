"""The telemetry sampler: ring buffer, lost GPUs, start and stop."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from planner.hardware.recorded import RecordedNvml, load_recording
from planner.hardware.telemetry import Sample, Sampler

NVML = Path(__file__).resolve().parents[1] / "fixtures" / "hardware" / "nvml"


class FakeStats:
    def cpu_percent(self) -> float:
        return 12.5

    def ram_used_bytes(self) -> int:
        return 8 * 1024**3


def nvml(name: str = "dual_3090") -> RecordedNvml:
    api = RecordedNvml(load_recording(NVML / f"{name}.json"))
    api.init()
    return api


def sampler(api: RecordedNvml | None, capacity: int = 10) -> Sampler:
    ticks = iter(range(10_000))
    return Sampler(api, FakeStats(), (0, 1), 0.25, capacity, clock=lambda: float(next(ticks)))


def test_a_sample_holds_every_gpu_cpu_and_ram() -> None:
    sample = sampler(nvml()).sample_once()
    first = sample.gpus[0]
    assert first.power_w == 21.85
    assert first.temperature_c == 41
    assert first.memory_used_bytes == (24576 - 24253) * 1024**2
    assert (first.graphics_clock_mhz, first.memory_clock_mhz) == (210, 405)
    assert sample.cpu_pct == 12.5


def test_ring_buffer_is_bounded() -> None:
    s = sampler(nvml(), capacity=3)
    for _ in range(5):
        s.sample_once()
    assert [x.time_s for x in s.samples()] == [2.0, 3.0, 4.0]


def test_gpu_lost_mid_run_is_marked_and_sampling_goes_on() -> None:
    api = nvml()
    s = sampler(api)
    s.sample_once()
    api.lose(1)
    lost = s.sample_once()
    assert lost.gpus[1].lost and not lost.gpus[0].lost
    assert 1 in s.lost
    calls = api.calls
    after = s.sample_once()
    assert after.gpus[1].lost and after.gpus[0].utilization_pct == 0
    assert api.calls - calls == 6  # only GPU 0's six readings: the lost one is not retried


def test_without_nvml_cpu_and_ram_are_still_sampled() -> None:
    sample = sampler(None).sample_once()
    assert all(g.lost for g in sample.gpus)
    assert sample.ram_used_bytes == 8 * 1024**3


def test_start_and_stop_on_a_thread() -> None:
    got: list[Sample] = []
    enough = threading.Event()

    def listener(sample: Sample) -> None:
        got.append(sample)
        if len(got) >= 2:
            enough.set()

    s = Sampler(nvml(), FakeStats(), (0,), interval_s=0.25)
    s.add_listener(listener)
    s.start()
    assert enough.wait(5)
    s.stop()
    assert not s.running
    assert len(s.samples()) >= 2


def test_interval_must_be_1_to_4_hz() -> None:
    with pytest.raises(ValueError, match="interval_s"):
        Sampler(None, FakeStats(), interval_s=0.1)
