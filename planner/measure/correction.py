"""A per-PC correction: how this PC's measured speeds compare with the planner's estimates.

The factor is a shrunken geometric mean of measured/estimated ratios: in log space,
    log c = sum(log r_i) / (n + PRIOR_RUNS)
so with no measurements c = 1, and each run counts as one vote against PRIOR_RUNS votes
for "the estimate is right". Each ratio is first clipped to [1/MAX_RATIO, MAX_RATIO]: a run
that far off is more likely a broken run (thermal throttling, another program on the GPU,
a model partly swapped out) than a fact about the PC. One run therefore moves the factor
by at most a third of its own log error, and never more than MAX_RATIO^(1/3) = 1.44x.
Generation and prompt processing get separate factors.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

PRIOR_RUNS = 2.0
MAX_RATIO = 3.0


@dataclass(frozen=True)
class Factor:
    """One correction factor: multiply an estimate by `value`. `runs` measurements went in;
    `spread` is the geometric standard deviation of their ratios (1.0 = all agree)."""

    value: float = 1.0
    runs: int = 0
    spread: float = 1.0

    @property
    def active(self) -> bool:
        return self.runs > 0 and abs(self.value - 1.0) > 1e-9


@dataclass(frozen=True)
class Correction:
    generation: Factor = Factor()
    prompt: Factor = Factor()

    @property
    def active(self) -> bool:
        return self.generation.active or self.prompt.active

    def describe(self) -> str:
        parts = [
            f"{name} ×{f.value:.2f} ({f.runs} run{'s' if f.runs != 1 else ''})"
            for name, f in (("generation", self.generation), ("prompt", self.prompt))
            if f.runs
        ]
        return "adjusted to your measurements: " + ", ".join(parts) if parts else "no measurements on this PC yet"


def fit_factor(ratios: Iterable[float]) -> Factor:
    """Shrunken geometric mean of measured/estimated ratios (positive, finite ones only)."""
    logs = [math.log(min(MAX_RATIO, max(1 / MAX_RATIO, r))) for r in ratios if r > 0 and math.isfinite(r)]
    if not logs:
        return Factor()
    mean = sum(logs) / len(logs)
    spread = math.exp(math.sqrt(sum((x - mean) ** 2 for x in logs) / len(logs)))
    return Factor(math.exp(sum(logs) / (len(logs) + PRIOR_RUNS)), len(logs), spread)


def fit_correction(pairs: Iterable[tuple[bool, float, float]]) -> Correction:
    """`pairs` are (is_generation, measured_tok_s, estimated_tok_s)."""
    generation: list[float] = []
    prompt: list[float] = []
    for is_generation, measured, estimated in pairs:
        if estimated and estimated > 0:
            (generation if is_generation else prompt).append(measured / estimated)
    return Correction(fit_factor(generation), fit_factor(prompt))
