"""File ▸ Export leads with what the user was looking at, with measured figures and speed per context."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from planner.app import default_panes
from planner.catalog.builds import preset_spec
from planner.reporting.gather import gather
from planner.ui.export_sheet import sheet_request, start_export
from planner.ui.main_window import MainWindow
from planner.ui.state import PlannerState


@pytest.fixture
def window(state: PlannerState, services, qtbot) -> MainWindow:
    win = MainWindow(state, services, default_panes())
    qtbot.addWidget(win)
    return win


def test_sheet_leads_with_the_current_model_and_fills_measured(window: MainWindow, state: PlannerState) -> None:
    state.set_spec(preset_spec(state.services.catalog, "2x-rtx3090"))
    state.set_model("llama-3-70b")
    state.set_workload(context=16384)
    data = gather(sheet_request(window), state.services.estimator)
    first = data.fit_rows[0]
    assert (first.model, first.quant) == ("Llama 3 70B", state.quant)
    assert 16384 in {r.context for r in data.fit_rows if r.model == "Llama 3 70B"}
    assert any(m.test.startswith("tg") for m in first.measured)
    speeds = [r.decode_tok_s for r in data.fit_rows if r.model == "Llama 3 70B" and r.quant == state.quant]
    assert len(speeds) >= 2 and len(set(speeds)) == len(speeds)  # speed at each context, not one figure


def test_exported_files_follow_the_umask(window: MainWindow, state: PlannerState, tmp_path: Path, qtbot) -> None:
    old = os.umask(0o022)
    try:
        target = tmp_path / "sheet.pdf"
        start_export(window, target)
        qtbot.waitUntil(lambda: window.last_export is not None, timeout=20_000)
        window.library.export_file(tmp_path / "build.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "build.json").stat().st_mode) == 0o644
