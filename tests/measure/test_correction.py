"""The per-PC correction: shrinkage toward 1, so one odd run cannot swing it."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from planner.measure.correction import MAX_RATIO, Correction, fit_correction, fit_factor

ratios = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False, allow_infinity=False)
speeds = st.floats(min_value=0.1, max_value=1e4, allow_nan=False)


def test_no_measurements_change_nothing() -> None:
    assert fit_factor([]).value == 1.0
    correction = fit_correction([])
    assert correction == Correction() and not correction.active
    assert "no measurements" in correction.describe()


@given(ratios)
def test_one_extreme_run_moves_the_factor_less_than_half_its_own_error(ratio: float) -> None:
    factor = fit_factor([ratio]).value
    assert abs(math.log(factor)) < 0.5 * abs(math.log(ratio)) or ratio == 1.0
    assert abs(factor - 1.0) < 0.5 * abs(ratio - 1.0) or ratio == 1.0
    assert 1 / MAX_RATIO ** (1 / 3) - 1e-9 <= factor <= MAX_RATIO ** (1 / 3) + 1e-9


@given(st.lists(ratios, min_size=1, max_size=30))
def test_the_factor_lies_between_1_and_the_runs(rs: list[float]) -> None:
    factor = fit_factor(rs).value
    clipped = [min(MAX_RATIO, max(1 / MAX_RATIO, r)) for r in rs]
    assert min([1.0, *clipped]) - 1e-9 <= factor <= max([1.0, *clipped]) + 1e-9


@given(st.floats(min_value=0.4, max_value=2.5), st.integers(min_value=1, max_value=20))
def test_agreeing_runs_pull_harder_the_more_there_are(ratio: float, n: int) -> None:
    fewer, more = fit_factor([ratio] * n).value, fit_factor([ratio] * (n + 1)).value
    assert abs(math.log(more)) >= abs(math.log(fewer)) - 1e-12
    assert abs(math.log(more)) <= abs(math.log(ratio)) + 1e-12


@given(st.lists(st.tuples(st.booleans(), speeds, speeds), max_size=20))
def test_generation_and_prompt_runs_fit_separately(pairs: list[tuple[bool, float, float]]) -> None:
    correction = fit_correction(pairs)
    assert correction.generation.runs == sum(1 for g, _, _ in pairs if g)
    assert correction.prompt.runs == sum(1 for g, _, _ in pairs if not g)
