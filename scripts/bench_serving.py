"""Measure a 1-256-user serving sweep for one build and model, as the app's chart and
`planner serve --users 1,2,...,256` run it: resolve the build, set up the deployment
(layout search, KV capacity, the llama.cpp one-user estimate) and evaluate every user count.
Target: under 50 ms. Run:

    .venv/bin/python scripts/bench_serving.py --runs 50
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from planner.calibration.shipped import load_calibration, load_serving_calibration
from planner.commands.common import open_catalog
from planner.estimation.front import Estimator
from planner.estimation.serving_front import ServeResult, ServingEstimator
from planner.resources import calibration_path, serving_calibration_path

CASES = (
    ("8x H200", "llama-3.3-70b", "FP8", "vllm"),
    ("8x B200", "qwen3-235b-a22b", "NVFP4", "trt-llm"),
    ("3090 build", "llama-3.1-8b", "Q4_K_M", "llama.cpp"),
    ("M3 Ultra", "llama-3.3-70b", "MLX-4BIT", "mlx"),
)
USERS = ",".join(str(n) for n in range(1, 257))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    catalog = open_catalog()
    serving = ServingEstimator(
        Estimator(catalog, load_calibration(calibration_path())), load_serving_calibration(serving_calibration_path())
    )
    for preset, model, quant, engine in CASES:
        build = serving.estimator.build_for({"preset": preset})
        request = {"model": model, "quant": quant, "engine": engine, "users": USERS, "input": 1024, "output": 256}
        times = []
        for _ in range(args.runs + 1):  # the first run warms caches (grid, names)
            start = time.perf_counter()
            result = serving.serve_build(build, request)
            assert isinstance(result, ServeResult)
            curve = result.sweep(np.arange(1, 257, dtype=float))
            times.append(time.perf_counter() - start)
        assert len(curve["output_tok_s"]) == 256
        ms = sorted(t * 1000 for t in times[1:])
        print(
            f"{preset:11} {model:16} {engine:9} 1-256 users: median {statistics.median(ms):6.2f} ms, "
            f"p90 {ms[int(0.9 * len(ms)) - 1]:6.2f} ms, max {ms[-1]:6.2f} ms ({args.runs} runs)"
        )


if __name__ == "__main__":
    main()
