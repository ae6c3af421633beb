"""The Compare pane: two to four builds side by side, as a table, a speed chart and a value scatter."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from planner.catalog.builds import build_from_spec
from planner.core.estimate import Estimate
from planner.core.hardware import Build
from planner.errors import PlannerError
from planner.ui.compare_model import (
    MAX_BUILDS,
    MIN_BUILDS,
    BuildChoice,
    CompareColumn,
    CompareTableModel,
    build_choices,
)
from planner.ui.format import Money
from planner.ui.plot_style import styled_plot
from planner.ui.services import Services
from planner.ui.state import PlannerState
from planner.ui.value_scatter import ValueScatter, short

CURRENT = "current"
BAR_COLORS = ("#4e79a7", "#f28e2b")


class SpeedBars(QWidget):
    """Generation and prompt tok/s per build, as two bar charts (their scales differ ~10×)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.plots: list[pg.PlotWidget] = []
        for title in ("Generation tok/s", "Prompt tok/s"):
            plot = styled_plot(self, title, "build # (as in the table)", "tok/s")
            plot.showGrid(x=False, y=True, alpha=0.2)
            layout.addWidget(plot)
            self.plots.append(plot)

    def set_columns(self, columns: list[CompareColumn]) -> None:
        ticks = [(i, f"#{i + 1}") for i in range(len(columns))]  # the table's headers carry the same numbers
        text_color = self.palette().color(QPalette.ColorRole.Text)
        for plot, color, attr in zip(self.plots, BAR_COLORS, ("decode_tok_s", "prefill_tok_s"), strict=True):
            plot.clear()
            values = [float(getattr(c.estimate, attr) or 0.0) if c.estimate else 0.0 for c in columns]
            plot.addItem(pg.BarGraphItem(x=list(range(len(values))), height=values, width=0.6, brush=color))
            for i, value in enumerate(values):
                label = pg.TextItem(
                    f"{value:,.1f}" if value < 100 else f"{value:,.0f}", color=text_color, anchor=(0.5, 1)
                )
                label.setPos(i, value)
                plot.addItem(label)
            plot.getAxis("bottom").setTicks([ticks])
            plot.setXRange(-0.6, max(len(values), 1) - 0.4, padding=0)
            plot.setYRange(0, max([*values, 1.0]) * 1.18, padding=0)


def hardware_key(build: Build) -> tuple[object, ...]:
    """What makes two builds the same machine for a comparison: GPUs, CPU and memory."""
    gpus = tuple(sorted((g.accelerator.id, g.count * build.nodes) for g in build.gpus))
    return gpus, build.cpu.id, build.ram_gb


class ComparePane(QWidget):
    """Signals: `comparison_changed()` after the table and charts show a new set of builds or numbers."""

    comparison_changed = Signal()

    def __init__(self, state: PlannerState, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.services = services
        self.model = CompareTableModel(Money(services.settings))
        self.chosen: list[str] = []
        self._choices: dict[str, BuildChoice] = {}
        self._build_ui()
        self.refresh_choices()
        for key in [CURRENT, *self._different_from_current()[:1]]:
            self.add_build(key)
        state.build_changed.connect(self._on_state_build_changed)
        # workload changes need no slot of their own: the state recomputes and emits estimate_changed
        state.estimate_changed.connect(self._on_state_estimate_changed)

    def _build_ui(self) -> None:
        self.picker = QComboBox()
        self.picker.setMinimumContentsLength(20)
        self.picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.picker.setToolTip("Presets, your saved builds and the current build")
        self.add_button = QPushButton("Add to comparison")
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.chips = QHBoxLayout()
        self.message = QLabel()
        self.message.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Build:"))
        bar.addWidget(self.picker)
        bar.addWidget(self.add_button)
        bar.addStretch(1)
        chips_row = QHBoxLayout()
        chips_row.addLayout(self.chips)
        chips_row.addStretch(1)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.bars = SpeedBars()
        self.scatter = ValueScatter(self.state, self.services)
        charts = QSplitter(Qt.Orientation.Horizontal)
        charts.addWidget(self.bars)
        charts.addWidget(self.scatter)
        charts.setSizes([600, 600])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(charts)
        split.setSizes([235, 515])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(chips_row)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)

    # ---- choosing builds -----------------------------------------------------
    def refresh_choices(self) -> None:
        """Re-read presets and saved builds (saved builds change while the app runs)."""
        current = BuildChoice(CURRENT, "Current build", self.state.spec)
        self._choices = {CURRENT: current, **{c.key: c for c in build_choices(self.services)}}
        self.chosen = [k for k in self.chosen if k in self._choices]
        selected = self.picker.currentData()
        self.picker.clear()
        for choice in self._choices.values():
            self.picker.addItem(choice.label, choice.key)
        self.picker.setCurrentIndex(max(self.picker.findData(selected), 0))

    def _different_from_current(self) -> list[str]:
        """Choices whose hardware differs from the current build's (the default 3060 is also a preset)."""
        mine = hardware_key(self.state.build)
        out = []
        for key, choice in self._choices.items():
            if key == CURRENT:
                continue
            try:
                if hardware_key(build_from_spec(self.services.catalog, choice.spec)) != mine:
                    out.append(key)
            except PlannerError:
                continue
        return out

    def add_build(self, key: str) -> bool:
        """Add a build to the comparison; refuse a fifth or a duplicate, and say why."""
        if key in self.chosen:
            self.message.setText(f"{self._choices[key].label} is already in the comparison.")
            return False
        if len(self.chosen) >= MAX_BUILDS:
            self.message.setText(f"Compare holds at most {MAX_BUILDS} builds: remove one before adding another.")
            return False
        self.chosen.append(key)
        self.refresh()
        return True

    def remove_build(self, key: str) -> None:
        if key in self.chosen:
            self.chosen.remove(key)
            self.refresh()

    def _on_add_button_clicked(self) -> None:
        self.add_build(str(self.picker.currentData()))

    def _on_chip_clicked(self) -> None:
        chip = self.sender()
        if isinstance(chip, QToolButton):
            self.remove_build(str(chip.property("build_key")))

    def _show_chips(self) -> None:
        while self.chips.count():
            item = self.chips.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for key in self.chosen:
            chip = QToolButton()
            chip.setText(short(self._label(key), 28) + "  ✕")
            chip.setToolTip(f"Remove {self._label(key)} from the comparison")
            chip.setProperty("build_key", key)
            chip.clicked.connect(self._on_chip_clicked)
            self.chips.addWidget(chip)

    def _label(self, key: str) -> str:
        return f"Current: {self.state.build.name}" if key == CURRENT else self._choices[key].label

    # ---- numbers -------------------------------------------------------------
    def _on_state_build_changed(self, _build: Build) -> None:
        self.refresh_choices()  # a save or a new build may add a choice; numbers follow estimate_changed

    def _on_state_estimate_changed(self, _estimate: Estimate | None) -> None:
        self.refresh()

    def refresh(self) -> None:
        columns = [self._column(key) for key in self.chosen]
        self.model.set_columns(columns)
        self.bars.set_columns(columns)
        self._show_chips()
        errors = {c.error for c in columns if c.error}
        if len(self.chosen) < MIN_BUILDS:
            self.message.setText(f"Pick at least {MIN_BUILDS} builds to compare (up to {MAX_BUILDS}).")
        else:
            model = self.services.catalog.model_rows[self.state.model_id]["name"]
            self.message.setText(
                " ".join([f"{model} {self.state.quant}, context {self.state.workload.context:,}.", *sorted(errors)])
            )
        self.comparison_changed.emit()

    def _column(self, key: str) -> CompareColumn:
        label = self._label(key)
        try:
            build = (
                self.state.build if key == CURRENT else build_from_spec(self.services.catalog, self._choices[key].spec)
            )
            return CompareColumn(key, label, self.state.estimate_for(build))
        except PlannerError as exc:
            return CompareColumn(key, label, None, str(exc))
