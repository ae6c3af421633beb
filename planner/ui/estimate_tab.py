"""The Estimate tab: workload (one user or many) on top, results beside it, charts below."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from planner.ui.context_charts import ContextCharts
from planner.ui.results_panel import ResultsPanel
from planner.ui.run_it_panel import RunItPanel
from planner.ui.serve_chart import ServeChart
from planner.ui.services import Services
from planner.ui.serving_panel import ServeView, ServingPanel
from planner.ui.state import PlannerState
from planner.ui.workload_panel import WorkloadPanel


class EstimateTab(QWidget):
    """One user: context charts. N users: the serving results and the throughput chart."""

    def __init__(self, state: PlannerState, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workload = WorkloadPanel(state, services, self)
        self.serving = ServingPanel(state, services, self)
        self.results = ResultsPanel(state, services, self)
        self.charts = ContextCharts(state, self)
        self.serve_chart = ServeChart(self)
        self.chart_stack = QStackedWidget(self)
        self.chart_stack.addWidget(self.charts)
        self.chart_stack.addWidget(self.serve_chart)
        self.run_it = RunItPanel(state, services, self)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.workload)
        left_layout.addWidget(self.serving)
        left_layout.addWidget(self.results, 1)
        left_layout.addWidget(self.run_it)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(left)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(scroll)
        splitter.addWidget(self.chart_stack)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
        self.serving.mode_changed.connect(self._on_serving_mode_changed)
        self.serving.served.connect(self._on_serving_served)
        self.serving.reading.valueChanged.connect(self.serve_chart.set_reading_speed)

    def _on_serving_mode_changed(self, many: bool) -> None:
        self.chart_stack.setCurrentWidget(self.serve_chart if many else self.charts)
        self.run_it.setVisible(not many)  # the llama.cpp command line is for one user

    def _on_serving_served(self, view: ServeView | None) -> None:
        if view is None:
            return
        self.serve_chart.show_curve(view.users, view.aggregate, view.per_user, view.max_users)
        self.serve_chart.set_reading_speed(self.serving.reading.value())
