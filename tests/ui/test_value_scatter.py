"""The performance-per-dollar scatter of presets and saved builds."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from planner.catalog.builds import preset_spec
from planner.ui.services import Services
from planner.ui.state import PlannerState
from planner.ui.value_scatter import ValueScatter


@pytest.fixture
def scatter(qtbot, state: PlannerState, services: Services) -> ValueScatter:
    widget = ValueScatter(state, services)
    widget.resize(900, 600)
    qtbot.addWidget(widget)
    return widget


def spot_pos(scatter: ValueScatter, index: int) -> QPoint:
    """Where point `index` is drawn, in the plot's viewport coordinates."""
    est = scatter.points[index].estimate
    view_box = scatter.plot.getPlotItem().getViewBox()
    scene = view_box.mapViewToScene(QPointF(math.log10(est.cost.hardware_usd), est.decode_tok_s))
    return scatter.plot.mapFromScene(scene)


def test_one_point_per_priced_build_that_runs(scatter: ValueScatter, services: Services) -> None:
    total = len(services.catalog.preset_rows) + 1  # the default build is no preset, so it is plotted too
    skipped = scatter.skipped_no_fit + scatter.skipped_no_price + scatter.skipped_dataflow
    assert len(scatter.points) + skipped == total
    assert scatter.skipped_dataflow == 1  # the CS-3: vendor figures, not a llama.cpp estimate
    assert "dataflow" in scatter.caption.text()
    assert len(scatter.scatter.points()) == len(scatter.points) == len(scatter.labels)
    assert all(p.estimate.cost.hardware_usd and p.estimate.decode_tok_s for p in scatter.points)


def test_builds_where_the_model_does_not_fit_are_skipped_and_counted(
    scatter: ValueScatter, state: PlannerState
) -> None:
    state.set_model("llama-3.1-405b")
    assert scatter.skipped_no_fit > 0
    assert f"{scatter.skipped_no_fit} build(s) skipped" in scatter.caption.text()


def test_saved_builds_are_plotted(scatter: ValueScatter, services: Services) -> None:
    services.userdb.save_build("My rig", {"gpus": [{"gpu": "rtx-3090"}], "cpu": "ryzen-7-5800x", "ram_gb": 64})
    scatter.refresh()
    assert any(p.choice.saved_name == "My rig" for p in scatter.points)


def test_current_build_is_highlighted(scatter: ValueScatter, state: PlannerState, services: Services) -> None:
    assert state.set_spec(preset_spec(services.catalog, "2x-rtx3090"))
    current = [p for p in scatter.points if p.current]
    assert len(current) == 1 and current[0].choice.key == "preset:2x-rtx3090"
    symbols = [s.symbol() for s in scatter.scatter.points()]
    assert symbols.count("star") == 1


def test_clicking_a_point_selects_that_build(qtbot, scatter: ValueScatter, state: PlannerState) -> None:
    scatter.show()
    qtbot.waitExposed(scatter)
    target = next(i for i, p in enumerate(scatter.points) if p.choice.key == "preset:2x-rtx3090")
    with qtbot.waitSignal(state.build_changed, timeout=2_000):
        qtbot.mouseClick(scatter.plot.viewport(), Qt.MouseButton.LeftButton, pos=spot_pos(scatter, target))
    assert state.build.name == "2x RTX 3090"
    assert [p.choice.key for p in scatter.points if p.current] == ["preset:2x-rtx3090"]


def test_price_axis_reads_in_dollars(scatter: ValueScatter) -> None:
    axis = scatter.plot.getAxis("bottom")
    assert axis.logMode
    assert axis.logTickStrings([3.0], 1.0, 1.0) == ["$1,000"]
