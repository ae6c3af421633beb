"""What every measurement shares: progress and cancel callables, errors, timestamps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from planner.errors import InputError, PlannerError

Progress = Callable[[int, str], None]  # (percent 0-100, what is happening)
Cancelled = Callable[[], bool]


class MeasurementError(InputError):
    """A measurement could not run: no llama-bench, server not answering, unknown model, timeout."""


class MeasurementCancelled(PlannerError):
    """The user cancelled a measurement; nothing was stored."""

    exit_code = 2


def ignore_progress(percent: int, text: str) -> None:
    del percent, text


def never_cancelled() -> bool:
    return False


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
