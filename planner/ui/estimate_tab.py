"""The Estimate tab: workload on top, results beside it, context charts below."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QSplitter, QVBoxLayout, QWidget

from planner.ui.context_charts import ContextCharts
from planner.ui.results_panel import ResultsPanel
from planner.ui.run_it_panel import RunItPanel
from planner.ui.services import Services
from planner.ui.state import PlannerState
from planner.ui.workload_panel import WorkloadPanel


class EstimateTab(QWidget):
    def __init__(self, state: PlannerState, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workload = WorkloadPanel(state, services, self)
        self.results = ResultsPanel(state, services, self)
        self.charts = ContextCharts(state, self)
        self.run_it = RunItPanel(state, services, self)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.workload)
        left_layout.addWidget(self.results, 1)
        left_layout.addWidget(self.run_it)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(left)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(scroll)
        splitter.addWidget(self.charts)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
