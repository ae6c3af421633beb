"""RAM bandwidth: a multi-threaded streaming copy over a buffer far larger than the last-level cache.

Each thread copies its own slice of a source array into a destination array with numpy
(`np.copyto` is a `memcpy` that releases the GIL), round after round, until the time is up.
Bandwidth counts the bytes read plus the bytes written, as STREAM's Copy does. The pages are
touched before the clock starts, so page faults do not count.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from planner.measure.common import (
    Cancelled,
    MeasurementCancelled,
    MeasurementError,
    Progress,
    ignore_progress,
    never_cancelled,
    now_utc,
)

MIB = 1024**2
MIN_BUFFER_BYTES = 256 * MIB
MAX_BUFFER_BYTES = 2048 * MIB
LLC_MULTIPLE = 16  # the buffer is at least this many last-level caches
POLL_S = 0.05
BLOCK_BYTES = 4 * MIB


@dataclass(frozen=True)
class RamBandwidth:
    """One RAM bandwidth run. `share` is gbs / theoretical_gbs when the theoretical figure is known."""

    gbs: float
    theoretical_gbs: float | None
    threads: int
    buffer_mib: int
    seconds: float
    measured_at: str
    method: str = "numpy streaming copy (read + write bytes)"

    @property
    def share(self) -> float | None:
        return round(self.gbs / self.theoretical_gbs, 3) if self.theoretical_gbs else None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "share": self.share}


def theoretical_gbs(channels: int | None, mts: int | None) -> float | None:
    """channels x MT/s x 8 bytes, in GB/s; None when either is unknown."""
    return channels * mts * 8 / 1000 if channels and mts else None


def last_level_cache_bytes() -> int:
    """The largest CPU cache Linux reports (32 MiB assumed where it says nothing)."""
    sizes: list[int] = []
    for name in ("SC_LEVEL3_CACHE_SIZE", "SC_LEVEL2_CACHE_SIZE"):
        try:
            value = os.sysconf(name)
        except (ValueError, OSError, AttributeError):
            continue
        if value > 0:
            sizes.append(value)
    return max(sizes) if sizes else 32 * MIB


def default_threads() -> int:
    try:
        import psutil

        return max(1, psutil.cpu_count(logical=False) or os.cpu_count() or 1)
    except ImportError:
        return max(1, os.cpu_count() or 1)


def default_buffer_bytes() -> int:
    wanted = max(MIN_BUFFER_BYTES, LLC_MULTIPLE * last_level_cache_bytes())
    try:
        import psutil

        wanted = min(wanted, psutil.virtual_memory().available // 8)
    except ImportError:
        pass
    return max(64 * MIB, min(wanted, MAX_BUFFER_BYTES))


class _Copier(threading.Thread):
    def __init__(self, src: np.ndarray, dst: np.ndarray, stop: threading.Event, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self.src, self.dst, self.stop = src, dst, stop
        self.bytes_moved = 0

    def run(self) -> None:
        # Blocks keep the stop check and the byte count fine-grained; the sweep over the
        # whole slice is what keeps the data out of the cache.
        step = max(1, BLOCK_BYTES // self.src.itemsize)
        blocks = [slice(i, i + step) for i in range(0, self.src.size, step)]
        while not self.stop.is_set():
            for block in blocks:
                if self.stop.is_set():
                    return
                np.copyto(self.dst[block], self.src[block])
                self.bytes_moved += 2 * self.dst[block].nbytes


def measure_ram_bandwidth(
    seconds: float = 3.0,
    threads: int | None = None,
    buffer_bytes: int | None = None,
    theoretical: float | None = None,
    progress: Progress = ignore_progress,
    cancelled: Cancelled = never_cancelled,
) -> RamBandwidth:
    """Stream-copy for `seconds`; raises `MeasurementCancelled` if `cancelled()` turns true."""
    if not 0 < seconds <= 60:
        raise MeasurementError(f"--seconds must be between 0 and 60; got {seconds:g}")
    threads = threads or default_threads()
    total = buffer_bytes or default_buffer_bytes()
    per_thread = max(MIB, total // (2 * threads) // 8 * 8)
    progress(0, f"allocating {2 * per_thread * threads // MIB} MiB")
    try:
        pairs = [(np.full(per_thread // 8, 1.0), np.full(per_thread // 8, 2.0)) for _ in range(threads)]
    except MemoryError as exc:
        raise MeasurementError("not enough free memory for the RAM test; close some programs and retry") from exc
    stop = threading.Event()
    copiers = [_Copier(src, dst, stop, f"ram-probe-{i}") for i, (src, dst) in enumerate(pairs)]
    start = time.perf_counter()
    for copier in copiers:
        copier.start()
    try:
        elapsed = 0.0
        while elapsed < seconds:
            if cancelled():
                raise MeasurementCancelled("RAM test cancelled; nothing was stored")
            time.sleep(POLL_S)
            elapsed = time.perf_counter() - start
            so_far = sum(c.bytes_moved for c in copiers) / elapsed / 1e9
            progress(min(99, round(100 * elapsed / seconds)), f"{so_far:.1f} GB/s so far")
    finally:
        stop.set()
        for copier in copiers:
            copier.join()
    elapsed = time.perf_counter() - start
    gbs = sum(c.bytes_moved for c in copiers) / elapsed / 1e9
    progress(100, f"{gbs:.1f} GB/s")
    return RamBandwidth(
        gbs=round(gbs, 2),
        theoretical_gbs=round(theoretical, 1) if theoretical else None,
        threads=threads,
        buffer_mib=round(2 * per_thread * threads / MIB),
        seconds=round(elapsed, 2),
        measured_at=now_utc(),
    )
