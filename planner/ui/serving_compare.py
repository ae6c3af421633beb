"""The seed article's "an 8x H200 box is more economical per token" claim, recomputed:
$/Mtok and per-user speed against load on the article's builds (Plan pane tab).

Signals: `compare_ready(int)` — the number of rows, once the worker's table is shown."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from planner.planning.serving_compare import SEED_MODELS, CompareRow, compare, verdict
from planner.ui.format import Money
from planner.ui.plot_style import DollarLogAxis, styled_plot
from planner.ui.rows_model import RowsTableModel
from planner.ui.serve_chart import UsersAxis
from planner.ui.services import Services
from planner.ui.workers import Progress

Index = QModelIndex | QPersistentModelIndex
COL_BUILD, COL_MODEL, COL_ENGINE, COL_USERS, COL_PER_USER, COL_AGGREGATE, COL_USD, COL_NOTE = range(8)
HEADERS = ("Build", "Model", "Engine, weights", "Users", "Per user tok/s", "All users tok/s", "$/Mtok", "Note")
COLORS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1")


def _n(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


class CompareModel(RowsTableModel[CompareRow]):
    """The claim's rows; $/Mtok in the user's currency."""

    HEADERS = HEADERS

    def __init__(self, money: Money, parent: QObject | None = None) -> None:
        super().__init__(parent, money)
        self._money = money

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        r = self._rows[index.row()]
        return (
            r.build,
            r.model,
            f"{r.engine}, {r.quant}",
            _n(r.users, 0),
            _n(r.per_user_tok_s),
            _n(r.output_tok_s),
            "—" if r.usd_per_mtok is None else self._money(r.usd_per_mtok, 3),
            r.note,
        )[index.column()]


class ServingCompareTable(QWidget):
    compare_ready = Signal(int)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.started = False
        self.rows: list[CompareRow] = []
        self.money = Money(services.settings)
        self.model = CompareModel(self.money, self)
        self.note = QLabel(
            "The article: “For 'serve a 70B model at scale', an 8x H200 box is more economical per token.” "
            "Each build serves 1,024-token prompts and 256-token answers with the engine people run on it "
            "(llama.cpp on consumer cards and Macs, TensorRT-LLM on datacenter GPUs); the CS-3 row is Cerebras's "
            "published per-user speed. Hardware amortized, electricity at your price, 24 h a day."
        )
        self.note.setWordWrap(True)
        self.verdict = QLabel("Not computed yet.")
        self.verdict.setWordWrap(True)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.which = QComboBox(self)
        for model_id in SEED_MODELS:
            self.which.addItem(services.catalog.model_rows[model_id]["name"], model_id)
        self.which.setCurrentIndex(len(SEED_MODELS) - 1)
        self.chart = styled_plot(self, "", "concurrent users", "", UsersAxis("bottom"))
        self.chart.setAxisItems({"left": DollarLogAxis("left", self.money)})
        self.chart.setLogMode(x=True, y=True)
        self.chart.addLegend(offset=(-10, 10))
        self.chart.setMinimumWidth(320)
        side = QVBoxLayout()
        side.addWidget(self.which)
        side.addWidget(self.chart, 1)
        body = QHBoxLayout()
        body.addWidget(self.view, 3)
        body.addLayout(side, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.verdict)
        layout.addLayout(body, 1)
        self.which.activated.connect(self._on_which_activated)
        self._label_axes()

    def _label_axes(self) -> None:
        text = self.palette().color(QPalette.ColorRole.WindowText)
        self.chart.setTitle(self.money.label("$ per million tokens against load"), color=text)
        self.chart.setLabel("left", self.money.label("$/Mtok"), color=text.name())

    def currency_changed(self) -> None:
        """The currency or exchange rate changed: the verdict, table and chart show the new money."""
        self._label_axes()
        self.model.currency_changed()
        if self.rows:
            self.verdict.setText(verdict(self.rows, money=self.money))
            self._draw()

    def start(self) -> None:
        """Compute the comparison in a worker (once; later calls do nothing)."""
        if self.started:
            return
        self.started = True
        serving = self.services.serving

        def job(_progress: Progress, cancelled: Callable[[], bool]) -> list[CompareRow] | None:
            return None if cancelled() else compare(serving)

        self.services.workers.start(job, finished=self._on_worker_finished, failed=self._on_worker_failed)
        self.verdict.setText("Recomputing the article's serving claim…")

    def _on_worker_finished(self, rows: list[CompareRow] | None) -> None:
        if rows is None:
            return
        self.rows = rows
        self.model.reset_rows(rows)
        self.verdict.setText(verdict(rows, money=self.money))
        self._draw()
        self.compare_ready.emit(len(rows))

    def _on_worker_failed(self, message: str) -> None:
        self.verdict.setText(f"Could not recompute the claim: {message.splitlines()[0]}")

    def _on_which_activated(self, _index: int) -> None:
        self._draw()

    def _draw(self) -> None:
        self.chart.clear()
        model = self.which.currentData()
        builds = list(dict.fromkeys(r.build for r in self.rows))
        for i, build in enumerate(builds):
            points = [
                (r.users, r.usd_per_mtok * self.money.rate)
                for r in self.rows
                if r.build == build and r.model == model and r.users and r.usd_per_mtok
            ]
            if not points:
                continue
            xs, ys = zip(*points, strict=True)
            pen = pg.mkPen(COLORS[i % len(COLORS)], width=2)
            self.chart.plot(
                list(xs), list(ys), pen=pen, symbol="o", symbolSize=6, symbolBrush=COLORS[i % len(COLORS)], name=build
            )
        self.chart.setXRange(0, math.log10(256) + 0.1)
