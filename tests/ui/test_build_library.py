"""Saved builds: save, rename, duplicate, delete with undo, import and export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtGui import QUndoStack

from planner.errors import InputError, UserDataError
from planner.ui.build_library import BuildLibrary
from planner.ui.state import PlannerState


@pytest.fixture
def library(state: PlannerState, services, qtbot) -> BuildLibrary:
    return BuildLibrary(state, services.userdb, QUndoStack())


def test_save_then_duplicate_name_is_refused(library: BuildLibrary, state: PlannerState) -> None:
    library.save("Box")
    state.saved_name = None
    with pytest.raises(InputError, match="already exists"):
        library.save("Box")
    assert library.names() == ["Box"]


def test_rename_and_duplicate(library: BuildLibrary) -> None:
    library.save("Box")
    library.rename("Box", "Office box")
    copy = library.duplicate()
    assert sorted(library.names()) == sorted(["Office box", copy])


def test_delete_can_be_undone(library: BuildLibrary, qtbot) -> None:
    library.save("Box")
    with qtbot.waitSignal(library.builds_changed):
        library.delete("Box")
    assert library.names() == []
    library.undo.undo()
    assert library.names() == ["Box"]


def test_export_then_import_round_trip(library: BuildLibrary, state: PlannerState, tmp_path: Path) -> None:
    target = tmp_path / "box.json"
    library.export_file(target)
    assert json.loads(target.read_text())["gpus"] == state.spec["gpus"]
    name = library.import_file(target)
    assert name in library.names()


def test_malformed_build_json_is_a_clear_error(library: BuildLibrary, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x", "gpus": [')
    with pytest.raises(InputError, match="not valid JSON"):
        library.import_file(bad)
    unknown = tmp_path / "unknown.json"
    unknown.write_text('{"name": "x", "gpus": [{"gpu": "RTX 9999"}]}')
    with pytest.raises(InputError, match="not a usable build"):
        library.import_file(unknown)
    assert library.names() == []


def test_export_into_a_file_path_leaves_nothing(library: BuildLibrary, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    blocker = folder / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(UserDataError, match="cannot write"):
        library.export_file(blocker / "box.json")
    assert [p.name for p in folder.iterdir()] == ["not-a-folder"]


def test_missing_export_folder_is_a_clear_error(library: BuildLibrary, tmp_path: Path) -> None:
    with pytest.raises(UserDataError, match="Choose another folder"):
        library.export_file(tmp_path / "missing" / "box.json")
