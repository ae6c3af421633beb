"""Measure what the telemetry sampler costs: process CPU time / wall time at 4 Hz.

Uses recorded NVML (two RTX 3090s, replayed from tests/fixtures) plus real psutil,
so it runs anywhere; the figure is the sampler's own Python overhead. Run:

    .venv/bin/python scripts/bench_telemetry.py --seconds 20 --hz 4
"""

from __future__ import annotations

import argparse
import threading
import time
from pathlib import Path

from planner.hardware.recorded import RecordedNvml, load_recording
from planner.hardware.telemetry import PsutilStats, Sampler

RECORDING = Path(__file__).resolve().parents[1] / "tests/fixtures/hardware/nvml/dual_3090.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--hz", type=float, default=4.0)
    args = parser.parse_args()
    nvml = RecordedNvml(load_recording(RECORDING))
    nvml.init()
    sampler = Sampler(nvml, PsutilStats(), (0, 1), interval_s=1 / args.hz, capacity=600)
    done = threading.Event()
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    sampler.start()
    done.wait(args.seconds)  # the main thread idles; only the sampler works
    sampler.stop()
    cpu = time.process_time() - cpu_start
    wall = time.perf_counter() - wall_start
    samples = len(sampler.samples())
    print(f"{samples} samples in {wall:.1f} s ({samples / wall:.2f} Hz), 2 GPUs + CPU + RAM")
    print(f"CPU time {cpu * 1000:.1f} ms = {100 * cpu / wall:.3f} % of one core")
    print(f"per sample: {1e6 * cpu / max(samples, 1):.0f} us")


if __name__ == "__main__":
    main()
