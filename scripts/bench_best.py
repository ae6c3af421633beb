"""Measure `--best`: the settings search for one model on one build (target: under 100 ms).

Each case runs the search as `planner estimate --best` does (request validation, search,
the final answer with its commands), after one warm-up run. Run:

    .venv/bin/python scripts/bench_best.py --runs 20
"""

from __future__ import annotations

import argparse
import statistics
import time

from planner.calibration.shipped import load_calibration
from planner.commands.common import open_catalog
from planner.estimation.front import Estimator
from planner.planning.best_runner import best_for_request
from planner.resources import calibration_path

CASES = {
    "gpt-oss-120b MXFP4, 3060 12GB + 64 GB": {
        "gpu": "RTX 3060 12GB", "ram_gb": 64, "model": "gpt-oss-120b", "quant": "MXFP4", "context": 32768,
    },
    "Qwen3-235B Q4_K_M, 4090 + 192 GB, 9950X": {
        "gpu": "RTX 4090", "cpu": "Ryzen 9 9950X", "ram_gb": 192, "model": "qwen3-235b-a22b", "quant": "Q4_K_M",
        "context": 32768,
    },
    "DeepSeek-R1 Q2_K, 3090 + 384 GB, EPYC 9654": {
        "gpu": "RTX 3090", "cpu": "EPYC 9654", "ram_gb": 384, "model": "deepseek-r1", "quant": "Q2_K", "context": 16384,
    },
    "Llama 3.3 70B Q4_K_M (dense), 3090 + 64 GB": {
        "gpu": "RTX 3090", "ram_gb": 64, "model": "llama-3.3-70b", "quant": "Q4_K_M", "context": 8192,
    },
}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--objective", choices=("speed", "context", "prompt"), default="speed")
    args = parser.parse_args()
    estimator = Estimator(open_catalog(), load_calibration(calibration_path()))
    for name, request in CASES.items():
        request = {**request, "best": args.objective}
        answer = best_for_request(estimator, request)  # warm-up (catalog caches)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            best_for_request(estimator, request)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
        print(
            f"{name:48s} median {statistics.median(times):6.1f} ms  p90 {p90:6.1f} ms  "
            f"({answer.best['evaluated'] if answer.best else 0} settings)"
        )


if __name__ == "__main__":
    main()
