"""Saved builds: save, save as, rename, duplicate, delete (undoable), import and export JSON."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from planner.catalog.builds import build_from_spec, load_build_file
from planner.catalog.userdb import UserDatabase
from planner.errors import InputError, PlannerError, UserDataError
from planner.reporting.atomic import user_file_mode
from planner.ui.state import PlannerState


class DeleteBuildCommand(QUndoCommand):
    def __init__(self, library: BuildLibrary, name: str) -> None:
        super().__init__(f"Delete build “{name}”")
        self.library, self.name = library, name

    def redo(self) -> None:
        self.library.userdb.delete_build(self.name)
        self.library.builds_changed.emit()

    def undo(self) -> None:
        self.library.userdb.undelete_build(self.name)
        self.library.builds_changed.emit()


class BuildLibrary(QObject):
    """Signals: `builds_changed()`, `message(str)` (a status line for the user)."""

    builds_changed = Signal()
    message = Signal(str)

    def __init__(self, state: PlannerState, userdb: UserDatabase, undo: QUndoStack, parent: QObject | None = None):
        super().__init__(parent)
        self.state, self.userdb, self.undo = state, userdb, undo

    def names(self) -> list[str]:
        return [b["name"] for b in self.userdb.builds()]

    def save(self, name: str | None = None, overwrite: bool | None = None) -> str:
        """Save the current build under `name` (default: its own). Raises InputError on a clash."""
        target = (name or self.state.spec.get("name") or "Untitled build").strip()
        replace = overwrite if overwrite is not None else target == self.state.saved_name
        self.userdb.save_build(target, {**self.state.spec, "name": target}, replace=replace)
        self.state.set_spec({**self.state.spec, "name": target}, saved_name=target)  # the form follows
        self.builds_changed.emit()
        self.message.emit(f"Saved “{target}”")
        return target

    def duplicate(self) -> str:
        base = f"{self.state.spec.get('name', 'Build')} copy"
        name, n = base, 2
        while name in self.names():
            name, n = f"{base} {n}", n + 1
        self.userdb.save_build(name, {**self.state.spec, "name": name})
        self.builds_changed.emit()
        self.message.emit(f"Duplicated as “{name}”")
        return name

    def rename(self, old: str, new: str) -> None:
        self.userdb.rename_build(old, new)
        if self.state.saved_name == old or (self.state.saved_name is None and self.state.spec.get("name") == old):
            self.state.set_spec({**self.state.spec, "name": new}, saved_name=new)  # the form follows
        self.builds_changed.emit()
        self.message.emit(f"Renamed “{old}” to “{new}”")

    def delete(self, name: str) -> None:
        self.userdb.build(name)  # raises InputError if it does not exist
        self.undo.push(DeleteBuildCommand(self, name))
        self.message.emit(f"Deleted “{name}” — Edit ▸ Undo brings it back")

    def load(self, name: str) -> None:
        self.state.set_spec(self.userdb.build(name), saved_name=name)

    def import_file(self, path: Path) -> str:
        """Import a build JSON file, checking it assembles before saving it."""
        spec = load_build_file(path)
        try:
            build_from_spec(self.state.services.catalog, spec)
        except PlannerError as exc:
            raise InputError(f"{path.name} is not a usable build: {exc}") from exc
        name = str(spec.get("name") or path.stem)
        while name in self.names():
            name = f"{name} (imported)"
        self.userdb.save_build(name, {**spec, "name": name})
        self.builds_changed.emit()
        self.state.set_spec({**spec, "name": name}, saved_name=name)
        self.message.emit(f"Imported “{name}”")
        return name

    def export_file(self, path: Path, spec: dict[str, Any] | None = None) -> None:
        """Write the build as JSON atomically: a temp file in the folder, then a rename."""
        data = json.dumps({"schema": 1, **(spec or self.state.spec)}, indent=2, sort_keys=True) + "\n"
        try:
            fd, tmp = tempfile.mkstemp(prefix=".build-", suffix=".json", dir=path.parent)
        except OSError as exc:
            raise UserDataError(f"cannot write to {path.parent}: {exc.strerror}. Choose another folder.") from exc
        try:
            os.fchmod(fd, user_file_mode())
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise UserDataError(f"cannot write {path}: {exc.strerror}. Nothing was changed.") from exc
        self.message.emit(f"Exported to {path}")
