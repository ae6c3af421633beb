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


def written(qtbot, library: BuildLibrary, action) -> None:
    """Run an action whose writes go to the worker queue, and wait until they are done."""
    with qtbot.waitSignal(library.idle, timeout=10_000):
        action()


def test_save_then_duplicate_name_is_refused(library: BuildLibrary, state: PlannerState, qtbot) -> None:
    with qtbot.waitSignal(library.message) as saved:
        library.save("Box")
    assert saved.args == ["Saved “Box”"]
    state.saved_name = None
    with qtbot.waitSignal(library.failed) as refused:
        library.save("Box")
    assert refused.args[0] == "Save build" and "already exists" in refused.args[1]
    assert library.names() == ["Box"]


def test_rename_and_duplicate(library: BuildLibrary, qtbot) -> None:
    written(qtbot, library, lambda: library.save("Box"))
    written(qtbot, library, lambda: library.rename("Box", "Office box"))
    copy = ""

    def duplicate() -> None:
        nonlocal copy
        copy = library.duplicate()

    written(qtbot, library, duplicate)
    assert sorted(library.names()) == sorted(["Office box", copy])


def test_delete_can_be_undone(library: BuildLibrary, qtbot) -> None:
    written(qtbot, library, lambda: library.save("Box"))
    written(qtbot, library, lambda: library.delete("Box"))
    assert library.names() == []
    written(qtbot, library, library.undo.undo)
    assert library.names() == ["Box"]


def test_export_then_import_round_trip(library: BuildLibrary, state: PlannerState, tmp_path: Path, qtbot) -> None:
    target = tmp_path / "box.json"
    library.export_file(target)
    assert json.loads(target.read_text())["gpus"] == state.spec["gpus"]
    name = ""

    def do_import() -> None:
        nonlocal name
        name = library.import_file(target)

    written(qtbot, library, do_import)
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
    with pytest.raises(UserDataError, match=r"(?i)choose another folder"):
        library.export_file(tmp_path / "missing" / "box.json")
