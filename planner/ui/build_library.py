"""Saved builds: save, save as, rename, duplicate, delete (undoable), import and export JSON.

Every write to the user database runs on a worker, one at a time and in the order asked
(a write may wait up to 5 s for another program's lock; the window must not). Each ends
in `message` (it worked, and what happened) or `failed` (a title and a clear reason).
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from planner.catalog.build_names import canonical_spec
from planner.catalog.builds import build_from_spec, load_build_file
from planner.catalog.userdb import UserDatabase
from planner.errors import InputError, PlannerError
from planner.reporting.atomic import write_atomically
from planner.ui.state import PlannerState

WriteJob = Callable[[], str]  # does the write, returns the status line


class DeleteBuildCommand(QUndoCommand):
    """Delete by row id, so Undo brings back this very build even if its name was reused."""

    def __init__(self, library: BuildLibrary, name: str) -> None:
        super().__init__(f"Delete build “{name}”")
        self.library, self.name = library, name
        self.row_id: int | None = None

    def redo(self) -> None:
        self.library.write("Delete build", self._delete)

    def undo(self) -> None:
        self.library.write("Undo delete", self._restore)

    def _delete(self) -> str:
        self.row_id = self.library.userdb.delete_build(self.name)
        return f"Deleted “{self.name}” — Edit ▸ Undo brings it back"

    def _restore(self) -> str:
        if self.row_id is None:
            raise InputError("the build was never deleted, so there is nothing to restore")
        wanted, self.name = self.name, self.library.userdb.undelete_build(self.row_id)
        if self.name != wanted:
            return f"Restored “{wanted}” as “{self.name}”: a build called “{wanted}” exists now"
        return f"Restored “{wanted}”"


class BuildLibrary(QObject):
    """Signals: `builds_changed()`, `message(str)` (a status line), `failed(str, str)` (a
    title and the reason a write did not happen), `idle()` (no write is queued or running)."""

    builds_changed = Signal()
    message = Signal(str)
    failed = Signal(str, str)
    idle = Signal()

    def __init__(self, state: PlannerState, userdb: UserDatabase, undo: QUndoStack, parent: QObject | None = None):
        super().__init__(parent)
        self.state, self.userdb, self.undo = state, userdb, undo
        self._queue: deque[tuple[str, WriteJob, Callable[[], None] | None]] = deque()
        self._running = False

    def names(self) -> list[str]:
        return [b["name"] for b in self.userdb.builds()]

    @property
    def busy(self) -> bool:
        return self._running or bool(self._queue)

    # ---- the write queue -----------------------------------------------------
    def write(self, title: str, job: WriteJob, then: Callable[[], None] | None = None) -> None:
        """Run `job` after the writes already queued; `then` runs on the UI thread if it worked."""
        self._queue.append((title, job, then))
        if not self._running:
            self._start_next()

    def _start_next(self) -> None:
        if not self._queue:
            self._running = False
            self.idle.emit()
            return
        self._running = True
        title, job, then = self._queue.popleft()
        self.state.services.workers.start(
            lambda _progress, _cancelled: job(),
            finished=lambda text: self._on_write_finished(text, then),
            failed=lambda reason: self._on_write_failed(title, reason),
        )

    def _on_write_finished(self, text: str, then: Callable[[], None] | None) -> None:
        if then is not None:
            then()
        self.builds_changed.emit()
        self.message.emit(text)
        self._start_next()

    def _on_write_failed(self, title: str, reason: str) -> None:
        self.failed.emit(title, reason)
        self._start_next()

    # ---- actions -------------------------------------------------------------
    def save(self, name: str | None = None, overwrite: bool | None = None) -> str:
        """Save the current build under `name` (default: its own); a clash ends in `failed`."""
        target = (name or self.state.spec.get("name") or "Untitled build").strip()
        replace = overwrite if overwrite is not None else target == self.state.saved_name
        spec = {**self.state.spec, "name": target}

        def job() -> str:
            self.userdb.save_build(target, spec, replace=replace)
            return f"Saved “{target}”"

        def then() -> None:
            self.state.set_spec({**self.state.spec, "name": target}, saved_name=target)  # the form follows

        self.write("Save build", job, then)
        return target

    def duplicate(self) -> str:
        base = f"{self.state.spec.get('name', 'Build')} copy"
        name, n, taken = base, 2, set(self.names())
        while name in taken:
            name, n = f"{base} {n}", n + 1
        spec = {**self.state.spec, "name": name}

        def job() -> str:
            self.userdb.save_build(name, spec)
            return f"Duplicated as “{name}”"

        self.write("Duplicate build", job)
        return name

    def rename(self, old: str, new: str) -> None:
        def job() -> str:
            self.userdb.rename_build(old, new)
            return f"Renamed “{old}” to “{new.strip()}”"

        def then() -> None:
            name = new.strip()
            if self.state.saved_name == old or (self.state.saved_name is None and self.state.spec.get("name") == old):
                self.state.set_spec({**self.state.spec, "name": name}, saved_name=name)  # the form follows

        self.write("Rename build", job, then)

    def delete(self, name: str) -> None:
        self.undo.push(DeleteBuildCommand(self, name))

    def load(self, name: str) -> None:
        self.state.set_spec(self.userdb.build(name), saved_name=name)

    def import_file(self, path: Path) -> str:
        """Check a build JSON file field by field and that it assembles, then save it (on a worker)."""
        spec = load_build_file(path)
        try:
            spec = canonical_spec(self.state.services.catalog, spec)
            build_from_spec(self.state.services.catalog, spec)
        except PlannerError as exc:
            raise InputError(f"{path.name} is not a usable build: {exc}") from exc
        name, taken = str(spec.get("name") or path.stem).strip() or path.stem, set(self.names())
        while name in taken:
            name = f"{name} (imported)"
        named = {**spec, "name": name}

        def job() -> str:
            self.userdb.save_build(name, named)
            return f"Imported “{name}”"

        def then() -> None:
            self.state.set_spec(named, saved_name=name)

        self.write("Import build", job, then)
        return name

    def export_file(self, path: Path, spec: dict[str, Any] | None = None) -> None:
        """Write the build as JSON atomically (through a symlink to its target)."""
        data = json.dumps({"schema": 1, **(spec or self.state.spec)}, indent=2, sort_keys=True) + "\n"
        written = write_atomically(path, data.encode("utf-8"))
        self.message.emit(f"Exported to {written}")
