"""Progress and cancellation for long exports, as plain callables (see planner/ui/workers.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from planner.errors import OperationCancelled

Progress = Callable[[int, str], None]  # (percent 0-100, what is happening)
Cancelled = Callable[[], bool]


class ExportCancelled(OperationCancelled):
    """The user cancelled the export; no file was written."""


def _ignore(percent: int, text: str) -> None:
    del percent, text


def _never() -> bool:
    return False


@dataclass(frozen=True)
class Steps:
    """Reports progress and stops the export at the next step once `cancelled()` is true."""

    progress: Progress = _ignore
    cancelled: Cancelled = _never

    def report(self, percent: float, text: str) -> None:
        if self.cancelled():
            raise ExportCancelled("export cancelled; no file was written")
        self.progress(max(0, min(100, round(percent))), text)

    def span(self, start: float, end: float) -> Steps:
        """Steps whose 0-100 maps onto `start`-`end` of this one."""

        def scaled(percent: int, text: str) -> None:
            self.progress(round(start + (end - start) * percent / 100), text)

        return Steps(scaled, self.cancelled)
