"""How the RAM probe's figure depends on its buffer size and thread count, on this machine.

A buffer that fits in the last-level cache measures the cache, not RAM: the probe's
default buffer is 16 last-level caches (256 MiB to 2 GiB). Run:
    .venv/bin/python scripts/bench_ram_probe.py [--seconds S]
"""

from __future__ import annotations

import argparse
import json

from planner.measure.ram import (
    MIB,
    default_buffer_bytes,
    default_threads,
    last_level_cache_bytes,
    measure_ram_bandwidth,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()
    llc, threads = last_level_cache_bytes(), default_threads()
    rows = []
    for buffer_mib in (llc // MIB // 4, llc // MIB * 2, default_buffer_bytes() // MIB):
        for n in sorted({1, threads}):
            result = measure_ram_bandwidth(args.seconds, threads=n, buffer_bytes=buffer_mib * MIB)
            rows.append({"buffer_mib": result.buffer_mib, "threads": n, "gbs": result.gbs})
            print(f"buffer {result.buffer_mib:5d} MiB  threads {n:2d}  {result.gbs:7.1f} GB/s")
    print(json.dumps({"llc_mib": llc // MIB, "default_threads": threads, "runs": rows}))


if __name__ == "__main__":
    main()
