"""`planner estimate --this-pc`: detect this machine and estimate with what was measured on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from planner.commands.common import print_json
from planner.core.estimate import Estimate
from planner.errors import InputError
from planner.estimation.front import Estimator
from planner.hardware.detect import detect
from planner.hardware.match import this_pc
from planner.measure.context import open_store, pc_facts
from planner.measure.this_pc import ThisPcEstimate, estimate_this_pc

BUILD_FLAGS = ("gpu", "preset", "build", "gpus", "cpu", "ram_gb", "memory_gb")


def estimate_on_this_pc(estimator: Estimator, request: dict[str, Any], adjust: bool = True) -> ThisPcEstimate:
    clashing = [k for k in BUILD_FLAGS if request.get(k) is not None]
    if clashing:
        flags = ", ".join(f"--{k.replace('_', '-')}" for k in clashing)
        raise InputError(f"--this-pc uses the detected machine; drop {flags}")
    for key in ("model", "quant"):
        if not request.get(key):
            raise InputError(f"--{key} is required")
    detection = detect()
    pc = this_pc(detection, estimator.catalog)
    build = pc.build
    if not build.gpus and request.get("backend") not in (None, "cpu"):
        raise InputError("this PC has no GPU the planner can use; use --backend cpu")
    pcie = tuple(gbs for link in detection.pcie if (gbs := link.usable_gbs))
    facts = pc_facts(open_store(), pcie)
    workload = estimator.workload_for(request)
    return estimate_this_pc(estimator, build, request["model"], request["quant"], workload, facts, adjust)


def run_this_pc(
    estimator: Estimator, request: dict[str, Any], adjust: bool, as_json: bool, print_human: Callable[[Estimate], None]
) -> int:
    mine = estimate_on_this_pc(estimator, request, adjust)
    if as_json:
        print_json(mine.to_dict())
        return 0
    print_human(mine.estimate)
    print(f"  this PC:    {mine.correction.describe()}")
    if mine.adjusted:
        plain = mine.unadjusted
        print(
            f"  unadjusted: generation {plain.decode_tok_s or 0:,.1f} tok/s, "
            f"prompt {plain.prefill_tok_s or 0:,.1f} tok/s (--unadjusted to show them)"
        )
    return 0
