"""The "adjusted to your measurements" switch under This PC's speeds: on by default, one
click shows the planner's unadjusted figures."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QWidget

from planner.ui.format import tok_s
from planner.ui.state import PlannerState


class AdjustToggle(QCheckBox):
    """Visible only while the build is This PC and it has measurements; toggling re-estimates."""

    def __init__(self, state: PlannerState, parent: QWidget | None = None) -> None:
        super().__init__("Adjusted to your measurements", parent)
        self.state = state
        self.setVisible(False)
        self.toggled.connect(self._on_toggled)
        state.estimate_changed.connect(self._on_state_estimate_changed)
        self._on_state_estimate_changed(state.estimate)

    def _on_state_estimate_changed(self, _estimate: object) -> None:
        mine = self.state.this_pc_estimate
        runs = mine.correction.generation.runs + mine.correction.prompt.runs if mine else 0
        self.setVisible(bool(runs))
        if mine is None or not runs:
            return
        self.blockSignals(True)
        self.setChecked(bool(self.state.services.settings.get("adjust_to_measurements")))
        self.blockSignals(False)
        plain = mine.unadjusted
        self.setText(
            f"Adjusted to your measurements ({mine.correction.describe().split(': ', 1)[-1]})"
            if self.isChecked()
            else "Adjusted to your measurements (off: the planner's own estimate)"
        )
        self.setToolTip(
            f"Unadjusted: generation {tok_s(plain.decode_tok_s)} tok/s, prompt {tok_s(plain.prefill_tok_s)} tok/s.\n"
            "The correction is a shrunken average of this PC's measured/estimated ratios: "
            "one odd run moves it by at most a third of its own error."
        )

    def _on_toggled(self, on: bool) -> None:
        self.state.set_adjust_to_measurements(on)
