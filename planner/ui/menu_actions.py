"""What the menu items do: each asks the user what it needs, then calls a service."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from planner.errors import PlannerError
from planner.ui.settings_dialog import SettingsDialog

if TYPE_CHECKING:
    from planner.ui.main_window import MainWindow


def _guard(window: MainWindow, what: str, action: object) -> bool:
    try:
        action()  # type: ignore[operator]
    except PlannerError as exc:
        QMessageBox.warning(window, what, str(exc))
        return False
    return True


def save(window: MainWindow) -> None:
    _guard(window, "Save build", window.library.save)


def save_as(window: MainWindow) -> None:
    name, ok = QInputDialog.getText(window, "Save build as", "Name:", text=str(window.state.spec.get("name", "")))
    if ok and name.strip():
        _guard(window, "Save build as", lambda: window.library.save(name, overwrite=False))


def _pick_saved_build(window: MainWindow, title: str) -> str | None:
    """Ask which saved build (the current one preselected); None when there is none or on cancel."""
    names = window.library.names()
    if not names:
        window.show_message(f"No saved builds to {title.split()[0].lower()}")
        return None
    current = window.state.saved_name if window.state.saved_name in names else names[0]
    name, ok = QInputDialog.getItem(window, title, "Build:", names, names.index(current), False)
    return name if ok else None


def rename(window: MainWindow) -> None:
    old = _pick_saved_build(window, "Rename build")
    if old is None:
        return
    new, ok = QInputDialog.getText(window, "Rename build", "New name:", text=old)
    if ok and new.strip() and new != old:
        _guard(window, "Rename build", lambda: window.library.rename(old, new))


def duplicate(window: MainWindow) -> None:
    _guard(window, "Duplicate build", window.library.duplicate)


def delete(window: MainWindow) -> None:
    name = _pick_saved_build(window, "Delete build")
    if name is not None:
        _guard(window, "Delete build", lambda: window.library.delete(name))


def import_build(window: MainWindow) -> None:
    path, _ = QFileDialog.getOpenFileName(window, "Import build", "", "Build files (*.json);;All files (*)")
    if path:
        _guard(window, "Import build", lambda: window.library.import_file(Path(path)))


def export_build(window: MainWindow) -> None:
    suggested = f"{window.state.spec.get('name', 'build')}.json"
    path, _ = QFileDialog.getSaveFileName(window, "Export build", suggested, "Build files (*.json)")
    if path:
        _guard(window, "Export build", lambda: window.library.export_file(Path(path)))


def export_sheet(window: MainWindow) -> None:
    from planner.ui.export_sheet import start_export

    start_export(window)


def preferences(window: MainWindow) -> None:
    dialog = SettingsDialog(window.services.settings, window)
    if dialog.exec():
        window.state.apply_preferences()


def about(window: MainWindow) -> None:
    QMessageBox.about(window, "About LLM Build Planner", window.about_text())
