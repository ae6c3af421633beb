"""After Preferences ▸ EUR, every money figure in Plan, What can it run, the floor, the parts and serving
shows euros at the chosen rate, without a restart; a price typed in euros is stored in US dollars."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit, QWidget

from planner.catalog.builds import preset_spec
from planner.ui.can_run_model import COL_USD_MTOK
from planner.ui.can_run_pane import CanRunPane
from planner.ui.composer_parts import COL_PRICE
from planner.ui.floor_table import COL_CHEAPEST, COL_READABLE
from planner.ui.main_window import MainWindow
from planner.ui.plan_model import COL_PRICE as PLAN_PRICE
from planner.ui.plan_model import COL_USD_MTOK as PLAN_USD_MTOK
from planner.ui.plan_pane import PlanPane
from planner.ui.serving_compare import COL_USD
from planner.ui.settings_dialog import SettingsDialog
from planner.ui.state import PlannerState

RATE = 0.5  # euros per US dollar: far from 1, so a number left in dollars cannot pass for euros


@pytest.fixture
def window(state: PlannerState, services, qtbot) -> Iterator[MainWindow]:
    win = MainWindow(state, services, [("Plan", PlanPane), ("What can it run", CanRunPane)])
    qtbot.addWidget(win)
    win.show()
    yield win
    # New preferences start searches, sweeps and estimates everywhere: let them deliver before the
    # window goes, or their results would reach deleted widgets.
    qtbot.waitUntil(lambda: not services.workers.busy, timeout=30_000)
    # Searchable boxes listen to QApplication.focusChanged; a focused widget deleted with this window
    # would reach the next test's boxes while being destroyed (a crash), so give the focus up first.
    focused = QApplication.focusWidget()
    if focused is not None:
        focused.clearFocus()


def pane(window: MainWindow, kind: type) -> QWidget:
    return next(p for p in window.panes if isinstance(p, kind))


def switch_to_euros(window: MainWindow, state: PlannerState, modal, qtbot) -> None:
    """Edit ▸ Preferences: choose EUR by keyboard, type the rate, press OK."""

    def choose_euros(dialog: QWidget) -> None:
        assert isinstance(dialog, SettingsDialog)
        QTest.keyClicks(dialog.currency, "EUR")
        dialog.rate.selectAll()
        QTest.keyClicks(dialog.rate, str(RATE))
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    modal.answer(choose_euros)
    with qtbot.waitSignal(state.preferences_changed):
        window.actions_by_name["Preferences"].trigger()
    assert window.services.settings.get("currency") == "EUR"
    assert window.services.settings.get("usd_exchange_rate") == pytest.approx(RATE)


def euros(usd: float, digits: int = 0) -> str:
    return f"€{usd * RATE:,.{digits}f}"


def test_plan_results_chart_and_budget_follow_the_currency(window, state, modal, qtbot) -> None:
    plan = pane(window, PlanPane)
    with qtbot.waitSignal(plan.plan_shown, timeout=20_000):
        plan.search()
    assert plan.model.rowCount() > 0
    with qtbot.waitSignal(plan.plan_shown, timeout=20_000):
        switch_to_euros(window, state, modal, qtbot)
    model = plan.model
    assert model.headerData(PLAN_USD_MTOK, Qt.Orientation.Horizontal) == "€/Mtok"
    row = model.row_at(0)
    assert model.index(0, PLAN_PRICE).data() == euros(row.result.price_usd)
    assert model.index(0, PLAN_USD_MTOK).data() == euros(row.result.estimate.cost.usd_per_mtok or 0, 2)
    tip = model.index(0, PLAN_USD_MTOK).data(Qt.ItemDataRole.ToolTipRole)
    assert "per €1,000" in tip and "$" not in tip
    assert plan.rank_combo.itemText(plan.rank_combo.findData("perf-per-dollar")) == "tok/s per €1,000"
    assert "€/Mtok" in plan.claims.tabText(plan.claims.indexOf(plan.serving_claim))
    axis = plan.chart.plot.getAxis("bottom")
    assert axis.logTickStrings([3.0], 1.0, 1.0) == ["€1,000"]
    first = plan.chart.results[0]
    x, _y = plan.chart.scatter.data[0]["x"], plan.chart.scatter.data[0]["y"]
    assert x == pytest.approx(math.log10(first.price_usd * RATE))
    assert "€" in plan.chart.caption.text() and "$" not in plan.chart.caption.text()
    # The budget is typed in euros and searched in dollars.
    assert plan.budget.prefix() == "€"
    plan.budget.selectAll()
    QTest.keyClicks(plan.budget, "1000")
    assert plan.request().budget_usd == pytest.approx(1000 / RATE)


def test_the_hardware_floor_and_serving_claim_follow_the_currency(window, state, modal, qtbot) -> None:
    plan = pane(window, PlanPane)
    with qtbot.waitSignals([plan.floor.floor_ready, plan.serving_claim.compare_ready], timeout=60_000):
        plan.floor.start()
        plan.serving_claim.start()
    switch_to_euros(window, state, modal, qtbot)
    floor = plan.floor.model
    cheapest = next(floor.row_at(r).cheapest for r in range(floor.rowCount()) if floor.row_at(r).cheapest)
    texts = [floor.index(r, c).data() for r in range(floor.rowCount()) for c in (COL_CHEAPEST, COL_READABLE)]
    assert not any("$" in t for t in texts)
    assert any(euros(cheapest.price_usd) in t for t in texts)
    claim = plan.serving_claim
    assert claim.model.headerData(COL_USD, Qt.Orientation.Horizontal) == "€/Mtok"
    priced = next(r for r in range(claim.model.rowCount()) if claim.rows[r].usd_per_mtok is not None)
    assert claim.model.index(priced, COL_USD).data() == euros(claim.rows[priced].usd_per_mtok or 0, 3)
    assert "€" in claim.verdict.text() and "$" not in claim.verdict.text()
    assert claim.chart.getAxis("left").logTickStrings([0.0], 1.0, 1.0) == ["€1"]


def test_what_can_it_run_shows_euros_per_mtok(window, state, modal, qtbot) -> None:
    can_run = pane(window, CanRunPane)
    qtbot.waitUntil(lambda: can_run.model.rowCount() > 0, timeout=20_000)
    switch_to_euros(window, state, modal, qtbot)
    model = can_run.model
    assert model.headerData(COL_USD_MTOK, Qt.Orientation.Horizontal) == "€/Mtok"
    assert "US dollars" not in model.headerData(COL_USD_MTOK, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    priced = next(r for r in range(model.rowCount()) if model.row_at(r).usd_per_mtok is not None)
    assert model.index(priced, COL_USD_MTOK).data() == euros(model.row_at(priced).usd_per_mtok or 0, 2)


def test_part_prices_show_in_euros_and_are_stored_in_dollars(window, state, modal, qtbot) -> None:
    state.set_spec(preset_spec(state.services.catalog, "rtx3060-5800x-box"))
    parts = window.composer.parts
    usd = state.spec["parts"][0]["price_usd"]
    switch_to_euros(window, state, modal, qtbot)
    table = parts.table
    assert table.horizontalHeaderItem(COL_PRICE).text() == "Price €"
    assert float(table.item(0, COL_PRICE).text()) == pytest.approx(usd * RATE)
    assert state.spec["parts"][0]["price_usd"] == pytest.approx(usd)  # showing euros changed nothing stored
    table.setCurrentCell(0, COL_PRICE)
    table.editItem(table.item(0, COL_PRICE))
    editor = table.viewport().findChild(QLineEdit)
    editor.selectAll()
    QTest.keyClicks(editor, "100")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: state.spec["parts"][0]["price_usd"] == pytest.approx(100 / RATE))
