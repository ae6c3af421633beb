"""Background work: plain callables wrapped in QRunnables that report through signals.

A job is `fn(progress, cancelled) -> result`, where `progress(percent, text)` reports and
`cancelled()` says whether to stop; a job that stops raises `OperationCancelled` (or returns
early). The worker never touches a widget.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from planner.errors import OperationCancelled, PlannerError

Progress = Callable[[int, str], None]
Job = Callable[[Progress, Callable[[], bool]], Any]


class WorkerSignals(QObject):
    """Signals: `progressed(int, str)`, `finished(object)`, `failed(str)`, `cancelled()`.

    `cancelled` is emitted instead of `failed` when the job raised `OperationCancelled`.
    """

    progressed = Signal(int, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()


class Worker(QRunnable):
    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job
        self.signals = WorkerSignals()
        self._cancel = threading.Event()
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        try:
            result = self.job(self._progress, self._cancel.is_set)
        except OperationCancelled:
            self._emit(self.signals.cancelled)
        except PlannerError as exc:
            self._emit(self.signals.failed, str(exc))
        except Exception as exc:  # a bug: report it with its traceback rather than lose it
            self._emit(self.signals.failed, f"unexpected error: {exc!r}\n{traceback.format_exc()}")
        else:
            self._emit(self.signals.finished, result)

    def _progress(self, percent: int, text: str) -> None:
        self._emit(self.signals.progressed, percent, text)

    def _emit(self, signal: object, *args: object) -> None:
        """Emit, unless the app is shutting down and the signal object is gone."""
        try:
            signal.emit(*args)  # type: ignore[attr-defined]
        except RuntimeError:
            self._cancel.set()


class WorkerPool:
    """Starts workers and keeps them alive until they finish."""

    def __init__(self, pool: QThreadPool | None = None) -> None:
        self.pool = pool or QThreadPool.globalInstance()
        self._running: set[Worker] = set()

    def start(
        self,
        job: Job,
        finished: Callable[[Any], object] | None = None,
        failed: Callable[[str], object] | None = None,
        progressed: Callable[[int, str], object] | None = None,
        cancelled: Callable[[], object] | None = None,
    ) -> Worker:
        """Start `job`; the slots are connected before it runs, so no result is missed."""
        worker = Worker(job)
        for signal, slot in (
            (worker.signals.finished, finished),
            (worker.signals.failed, failed),
            (worker.signals.progressed, progressed),
            (worker.signals.cancelled, cancelled),
        ):
            if slot is not None:
                signal.connect(slot)
        self._running.add(worker)
        for ended in (worker.signals.finished, worker.signals.failed, worker.signals.cancelled):
            ended.connect(lambda *_args, w=worker: self._running.discard(w))
        self.pool.start(worker)
        return worker

    @property
    def busy(self) -> bool:
        """Some worker has not yet delivered its result."""
        return bool(self._running)

    def wait(self, msecs: int = 10_000) -> bool:
        return self.pool.waitForDone(msecs)
