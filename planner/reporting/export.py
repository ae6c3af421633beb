"""The front door: gather a sheet's rows, render them, write the PDF in place.

The desktop app runs `export_job(...)` in a `planner.ui.workers.Worker`; the command
line calls `export_build_sheet(...)` directly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from planner.estimation.front import Estimator
from planner.reporting.atomic import write_atomically
from planner.reporting.gather import gather
from planner.reporting.pdf_writer import render_pdf
from planner.reporting.progress import Cancelled, Progress, Steps
from planner.reporting.sheet_data import SheetRequest


@dataclass(frozen=True)
class ExportResult:
    path: Path
    pages: int
    seconds: float


def export_build_sheet(
    request: SheetRequest,
    target: Path,
    estimator: Estimator,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ExportResult:
    """Write the build sheet for `request` to `target` (PDF). Raises `PlannerError` subclasses:
    `ExportCancelled` when `cancelled()` turns true, `UserDataError` when the file cannot be written.
    Nothing is left at `target` unless the whole sheet was written."""
    start = time.perf_counter()
    steps = Steps()
    steps = Steps(progress or steps.progress, cancelled or steps.cancelled)
    data = gather(request, estimator, steps.span(0, 50))
    pdf, pages = render_pdf(data, steps.span(50, 95))
    steps.report(96, f"writing {Path(target).name}")
    path = write_atomically(Path(target), pdf)
    steps.progress(100, f"wrote {path.name} ({pages} pages)")
    return ExportResult(path, pages, time.perf_counter() - start)


def export_job(
    request: SheetRequest, target: Path, estimator: Estimator
) -> Callable[[Progress, Cancelled], ExportResult]:
    """A `Job` for `planner.ui.workers.WorkerPool.start`: `job(progress, cancelled) -> ExportResult`."""

    def job(progress: Progress, cancelled: Cancelled) -> ExportResult:
        return export_build_sheet(request, target, estimator, progress, cancelled)

    return job
