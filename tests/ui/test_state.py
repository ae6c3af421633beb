"""The shared selection: builds, workloads and their estimate."""

from __future__ import annotations

from planner.catalog.builds import preset_spec
from planner.ui.state import PlannerState


def test_initial_state_has_an_estimate(state: PlannerState) -> None:
    assert state.estimate is not None and state.estimate.fit == "gpu"


def test_set_spec_emits_build_and_estimate(state: PlannerState, qtbot) -> None:
    spec = preset_spec(state.services.catalog, "2x-rtx3090")
    with qtbot.waitSignals([state.build_changed, state.estimate_changed]):
        assert state.set_spec(spec)
    assert state.build.gpu_count == 2


def test_bad_spec_keeps_the_last_good_build(state: PlannerState, qtbot) -> None:
    before = state.build
    with qtbot.waitSignal(state.build_failed) as blocker:
        assert not state.set_spec({"name": "x", "gpus": [{"gpu": "RTX 9999"}]})
    assert "RTX 9999" in blocker.args[0]
    assert state.build is before


def test_impossible_workload_is_reported_not_raised(state: PlannerState, qtbot) -> None:
    with qtbot.waitSignal(state.estimate_failed) as blocker:
        state.set_workload(context=-1)
    assert "context" in blocker.args[0]


def test_model_change_recomputes(state: PlannerState, qtbot) -> None:
    with qtbot.waitSignal(state.estimate_changed) as blocker:
        state.set_model("qwen2.5-32b")
    assert blocker.args[0].model.id == "qwen2.5-32b"
    assert blocker.args[0].fit == "partial"
