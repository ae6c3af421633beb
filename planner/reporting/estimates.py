"""Estimates for a `Build` object (the estimator's own front door takes names and specs)."""

from __future__ import annotations

from planner.core.estimate import Estimate
from planner.core.hardware import Build
from planner.core.model import ModelArch
from planner.core.quant import QuantType
from planner.estimation.front import Estimator


def estimate_on(
    estimator: Estimator, build: Build, model: ModelArch, quant: QuantType, context: int, depth: int = 0
) -> Estimate:
    workload = estimator.workload_for({"context": context, "depth": depth})
    return estimator.estimate_build(build, model.id, quant.name, workload)
