"""The damaged-items notice: a bar above the window's panes that says what in the user's
data could not be used (saved builds that no longer load, a data file set aside or open
read-only, settings that fell back to defaults) and offers to export or delete what was
skipped. The window opens either way; nothing is deleted unless the user asks.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from planner.catalog.userdb import DamagedRow
from planner.reporting.atomic import write_atomically
from planner.ui.build_library import BuildLibrary
from planner.ui.services import Services

SHOWN_ROWS = 5


class DataNotice(QFrame):
    """Hidden while there is nothing to say. Refreshes when the saved builds change."""

    def __init__(self, services: Services, library: BuildLibrary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.library = services, library
        self.damaged: list[DamagedRow] = []
        self.setObjectName("dataNotice")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#dataNotice { background: #fff4d6; border: 1px solid #e0b84c; } QLabel { color: #4a3b00; }")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_button = QPushButton("Export damaged…", self)
        self.delete_button = QPushButton("Delete damaged", self)
        self.dismiss_button = QPushButton("Dismiss", self)
        buttons = QVBoxLayout()
        for button in (self.export_button, self.delete_button, self.dismiss_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addLayout(buttons)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.dismiss_button.clicked.connect(self._on_dismiss_button_clicked)
        library.builds_changed.connect(self.refresh)
        self._dismissed_notices = False
        self.refresh()

    def refresh(self) -> None:
        self.damaged = self.services.userdb.damaged_builds()
        notices = [] if self._dismissed_notices else self.services.startup_notices()
        lines = [escape(n) for n in notices]
        if self.damaged:
            count = len(self.damaged)
            listed = "".join(
                f"<li>“{escape(_short(row.name))}”: {escape(_short(row.reason, 160))}</li>"
                for row in self.damaged[:SHOWN_ROWS]
            )
            more = f"<li>…and {count - SHOWN_ROWS} more</li>" if count > SHOWN_ROWS else ""
            lines.append(
                f"<b>{count} saved build{'s' if count > 1 else ''} could not be loaded and "
                f"{'are' if count > 1 else 'is'} not shown.</b> Export them to keep a copy, or delete them."
                f"<ul>{listed}{more}</ul>"
            )
        self.label.setText("<br>".join(lines))
        self.export_button.setVisible(bool(self.damaged))
        self.delete_button.setVisible(bool(self.damaged))
        self.setVisible(bool(lines))

    def export_damaged(self, path: Path) -> None:
        """Write the damaged rows, raw text included, to a JSON file (on the write queue)."""
        rows = [
            {"table": r.table, "row_id": r.row_id, "name": r.name, "reason": r.reason, "raw": r.raw}
            for r in self.damaged
        ]
        data = (json.dumps(rows, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

        def job() -> str:
            written = write_atomically(path, data)
            return f"Exported {len(rows)} damaged build(s) to {written}"

        self.library.write("Export damaged builds", job)

    def delete_damaged(self) -> None:
        ids = [r.row_id for r in self.damaged]

        def job() -> str:
            self.services.userdb.delete_damaged(ids)
            return f"Deleted {len(ids)} damaged build(s)"

        self.library.write("Delete damaged builds", job)

    def _on_export_button_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export damaged builds", "damaged-builds.json", "JSON (*.json)")
        if path:
            self.export_damaged(Path(path))

    def _on_delete_button_clicked(self) -> None:
        answer = QMessageBox.question(
            self,
            "Delete damaged builds",
            f"Delete {len(self.damaged)} saved build(s) that cannot be loaded? This cannot be undone; "
            "export them first to keep a copy.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_damaged()

    def _on_dismiss_button_clicked(self) -> None:
        self._dismissed_notices = True  # the notices about files; damaged builds stay listed while they exist
        self.hide()


def _short(text: str, limit: int = 80) -> str:
    text = text.replace("\x00", "")
    return text if len(text) <= limit else text[: limit - 1] + "…"
