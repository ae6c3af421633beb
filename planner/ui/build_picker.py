"""'Start from': a preset, a saved build, This PC, or an empty build."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from planner.catalog.builds import preset_spec
from planner.errors import PlannerError
from planner.ui.build_library import BuildLibrary
from planner.ui.services import Services
from planner.ui.state import PlannerState

EMPTY_SPEC = {"name": "New build", "gpus": [], "ram_gb": 32}


class BuildPicker(QWidget):
    """Signals: `this_pc_requested()` — the window owns detection and answers it."""

    this_pc_requested = Signal()

    def __init__(self, state: PlannerState, services: Services, library: BuildLibrary, parent: QWidget | None = None):
        super().__init__(parent)
        self.state, self.services, self.library = state, services, library
        self.combo = QComboBox(self)
        self.combo.setMinimumContentsLength(28)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Start from", self))
        layout.addWidget(self.combo, 1)
        self.refresh()
        self.combo.activated.connect(self._on_combo_activated)
        library.builds_changed.connect(self.refresh)

    def refresh(self) -> None:
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem("Choose a starting point…", None)
        self.combo.addItem("This PC (detected)", ("this_pc", ""))
        self.combo.addItem("Empty build", ("empty", ""))
        self.combo.insertSeparator(self.combo.count())
        for row in self.services.catalog.preset_rows.values():
            self.combo.addItem(f"Preset: {row['name']}", ("preset", row["id"]))
        names = self.library.names()
        if names:
            self.combo.insertSeparator(self.combo.count())
        for name in names:
            self.combo.addItem(f"Saved: {name}", ("saved", name))
        self.combo.setCurrentIndex(0)
        self.combo.blockSignals(False)

    def _on_combo_activated(self, _index: int) -> None:
        choice = self.combo.currentData()
        self.combo.setCurrentIndex(0)
        if not choice:
            return
        kind, key = choice
        try:
            if kind == "preset":
                self.state.set_spec(preset_spec(self.services.catalog, key))
            elif kind == "saved":
                self.library.load(key)
            elif kind == "empty":
                self.state.set_spec(dict(EMPTY_SPEC))
            else:
                self.this_pc_requested.emit()
        except PlannerError as exc:
            self.state.build_failed.emit(str(exc))
