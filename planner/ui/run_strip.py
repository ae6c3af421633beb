"""A progress bar with a Cancel button and a status line, for one background run at a time."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget


class RunStrip(QWidget):
    """Signals: `cancel_clicked()`. Hidden parts take no room: the bar and Cancel show while a run
    is going, the status line while it has something to say."""

    cancel_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.progress = QProgressBar(self)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self.end("")

    def begin(self, text: str) -> None:
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        for widget in (self.progress, self.cancel_button):
            widget.setVisible(True)
        self.cancel_button.setEnabled(True)
        self.set_status(text)

    def report(self, percent: int, text: str) -> None:
        self.progress.setValue(percent)
        self.progress.setFormat(f"%p%  {text}")

    def end(self, text: str) -> None:
        for widget in (self.progress, self.cancel_button):
            widget.setVisible(False)
        self.set_status(text)

    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def _on_cancel_button_clicked(self) -> None:
        self.cancel_button.setEnabled(False)
        self.set_status("Cancelling…")
        self.cancel_clicked.emit()
