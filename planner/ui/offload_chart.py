"""Generation speed and VRAM against expert layers in RAM (MoE) or GPU layers (dense).

The curve is computed by a worker whenever the answer changes; the chosen setting is marked.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QWidget

from planner.core.llama_settings import LlamaSettings
from planner.estimation.run_answer import RunAnswer
from planner.planning.best_runner import RunTarget, offload_curve
from planner.planning.best_settings import Point
from planner.ui.plot_style import styled_plot
from planner.ui.services import Services
from planner.ui.state import PlannerState
from planner.ui.workers import Worker

GIB = 1024**3
KNOB_LABELS = {"n_cpu_moe": "expert layers in RAM (--n-cpu-moe)", "gpu_layers": "layers on the GPU (-ngl)"}


def curve_job(target: RunTarget, settings: LlamaSettings, generation: int) -> object:
    def job(progress: object, cancelled: object) -> tuple[int, str, list[Point]]:
        knob, points = offload_curve(target, settings)
        return generation, knob, points

    return job


class OffloadChart(QWidget):
    """Two plots sharing the offload axis. Signals: none; it listens to `state.answer_changed`."""

    def __init__(self, state: PlannerState, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.services = state, services
        self.knob = "n_cpu_moe"
        self.points: list[Point] = []
        self._generation = 0
        self._worker: Worker | None = None
        self.speed = styled_plot(self, "Generation speed", KNOB_LABELS[self.knob], "tok/s")
        self.vram = styled_plot(self, "Memory on the busiest GPU", KNOB_LABELS[self.knob], "GiB")
        for plot in (self.speed, self.vram):
            plot.setMinimumHeight(200)
        self.speed_curve = self.speed.plot(pen=pg.mkPen("#4e79a7", width=2))
        self.vram_curve = self.vram.plot(pen=pg.mkPen("#f28e2b", width=2))
        marker = {"size": 12, "brush": pg.mkBrush("#d9534f"), "pen": pg.mkPen("w"), "symbol": "o"}
        self.speed_marker = pg.ScatterPlotItem(**marker)
        self.vram_marker = pg.ScatterPlotItem(**marker)
        self.speed.addItem(self.speed_marker)
        self.vram.addItem(self.vram_marker)
        self.capacity = pg.InfiniteLine(angle=0, pen=pg.mkPen("#3c9a5f", width=1.5, style=Qt.PenStyle.DashLine))
        pg.InfLineLabel(self.capacity, text="GPU capacity", position=0.8, anchor=(1, 1))
        self.vram.addItem(self.capacity)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.speed)
        layout.addWidget(self.vram)
        state.answer_changed.connect(self._on_state_answer_changed)
        if state.answer is not None:
            self._on_state_answer_changed(state.answer)

    def chosen_value(self) -> int | None:
        s = self.state.settings
        if self.knob == "n_cpu_moe":
            return s.n_cpu_moe if not s.cpu_moe else None
        answer = self.state.answer
        return answer.settings.gpu_layers if answer is not None else None

    def _on_state_answer_changed(self, answer: RunAnswer | None) -> None:
        if answer is None:
            return
        e = answer.estimate
        target = RunTarget(self.services.estimator, e.build, e.model.id, self.state.quant, self.state.workload)
        self._generation += 1
        if self._worker is not None:
            self._worker.cancel()
        self._worker = self.services.workers.start(
            curve_job(target, self.state.settings, self._generation),  # type: ignore[arg-type]
            finished=self._on_worker_finished,
            failed=self._on_worker_failed,
        )
        capacities = [d.capacity_bytes for d in e.placement.devices]
        self.capacity.setVisible(bool(capacities))
        if capacities:
            self.capacity.setValue(min(capacities) / GIB)

    def _on_worker_finished(self, outcome: tuple[int, str, list[Point]]) -> None:
        generation, knob, points = outcome
        if generation != self._generation:
            return
        self._worker = None
        self.knob, self.points = knob, points
        xs = [float(getattr(p.settings, knob) or 0) for p in points]
        for plot in (self.speed, self.vram):
            plot.setLabel("bottom", KNOB_LABELS[knob])
        self.speed_curve.setData(xs, [p.decode_tok_s if p.fits else float("nan") for p in points], connect="finite")
        fitting = [x for x, p in zip(xs, points, strict=True) if p.fits]
        if not fitting:
            self.speed.setTitle("Generation speed (no setting loads as asked on this build)")
        elif knob == "n_cpu_moe":
            self.speed.setTitle(f"Generation speed (every layer on the GPU from {min(fitting):g} in RAM)")
        else:
            self.speed.setTitle(f"Generation speed (fits up to {max(fitting):g} layers on the GPU)")
        self.vram_curve.setData(xs, [p.vram_bytes / GIB for p in points])
        chosen = self.chosen_value()
        mark = [p for x, p in zip(xs, points, strict=True) if chosen is not None and x == chosen]
        self.speed_marker.setData([chosen] * len(mark), [p.decode_tok_s for p in mark])
        self.vram_marker.setData([chosen] * len(mark), [p.vram_bytes / GIB for p in mark])

    def _on_worker_failed(self, message: str) -> None:
        self._worker = None
        self.speed.setTitle(f"Generation speed (not available: {message.splitlines()[0]})")
