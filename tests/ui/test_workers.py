"""Workers report results, failures and cancellations through their own signals."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QThreadPool

from planner.errors import InputError
from planner.reporting.progress import ExportCancelled
from planner.ui.workers import Progress, WorkerPool


def run(qtbot, job: Callable[[Progress, Callable[[], bool]], object]) -> dict[str, list[object]]:
    seen: dict[str, list[object]] = {"finished": [], "failed": [], "cancelled": []}
    pool = WorkerPool(QThreadPool())
    pool.start(
        job,
        finished=seen["finished"].append,
        failed=seen["failed"].append,
        cancelled=lambda: seen["cancelled"].append(True),
    )
    qtbot.waitUntil(lambda: any(seen.values()), timeout=5_000)
    assert pool.wait(5_000)
    return seen


def test_a_job_that_stops_on_cancel_reports_cancelled_not_failed(qtbot) -> None:
    def job(progress: Progress, cancelled: Callable[[], bool]) -> None:
        raise ExportCancelled("export cancelled; no file was written")

    assert run(qtbot, job) == {"finished": [], "failed": [], "cancelled": [True]}


def test_a_problem_the_user_can_fix_is_a_failure_with_its_message(qtbot) -> None:
    def job(progress: Progress, cancelled: Callable[[], bool]) -> None:
        raise InputError("context must be positive")

    assert run(qtbot, job) == {"finished": [], "failed": ["context must be positive"], "cancelled": []}


def test_a_result_is_finished(qtbot) -> None:
    assert run(qtbot, lambda progress, cancelled: 42) == {"finished": [42], "failed": [], "cancelled": []}
