"""Estimates for a `Build` object (the estimator's own front door takes names and specs)."""

from __future__ import annotations

from planner.core.estimate import Estimate
from planner.core.hardware import Build
from planner.core.model import ModelArch
from planner.core.quant import QuantType
from planner.estimation.front import Estimator


def applies(model: ModelArch, quant: QuantType) -> bool:
    """MXFP4-style quants only exist for MoE expert tensors."""
    return not (quant.expert_bpw and not model.is_moe)


def estimate_on(
    estimator: Estimator, build: Build, model: ModelArch, quant: QuantType, context: int, depth: int = 0
) -> Estimate:
    workload = estimator.workload_for({"context": context, "depth": depth})
    return estimator.estimate_build(build, model.id, quant.name, workload)
