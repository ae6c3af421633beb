"""The RAM probe runs for real: short runs, on whatever machine runs the tests."""

from __future__ import annotations

import pytest

from planner.measure.common import MeasurementCancelled, MeasurementError
from planner.measure.ram import MIB, measure_ram_bandwidth, theoretical_gbs

BUFFER = 128 * MIB  # well past any desktop last-level cache, and quick to allocate


def test_a_short_run_reports_bandwidth_threads_and_progress() -> None:
    seen: list[int] = []
    result = measure_ram_bandwidth(0.3, threads=2, buffer_bytes=BUFFER, progress=lambda p, _t: seen.append(p))
    assert result.gbs > 0.1
    assert result.threads == 2
    assert result.buffer_mib == 128
    assert result.seconds >= 0.3
    assert seen[0] == 0 and seen[-1] == 100
    assert seen == sorted(seen)
    assert result.share is None and result.to_dict()["share"] is None


def test_share_is_measured_over_channels_times_mts_times_8() -> None:
    theory = theoretical_gbs(2, 3200)
    assert theory == 51.2
    result = measure_ram_bandwidth(0.3, threads=1, buffer_bytes=BUFFER, theoretical=theory)
    assert result.share == pytest.approx(result.gbs / 51.2, abs=1e-3)
    assert theoretical_gbs(None, 3200) is None


def test_cancel_stops_the_run() -> None:
    with pytest.raises(MeasurementCancelled, match="nothing was stored"):
        measure_ram_bandwidth(30, threads=1, buffer_bytes=BUFFER, cancelled=lambda: True)


@pytest.mark.parametrize("seconds", [0, -1, 61])
def test_an_impossible_duration_is_refused(seconds: float) -> None:
    with pytest.raises(MeasurementError, match="between 0 and 60"):
        measure_ram_bandwidth(seconds)
