"""The main window: layout, menus and wiring only. Each pane lives in its own module."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import QMainWindow, QMessageBox, QScrollArea, QSplitter, QTabWidget, QVBoxLayout, QWidget

from planner import __version__
from planner.ui import menu_actions as act
from planner.ui.build_library import BuildLibrary
from planner.ui.build_picker import BuildPicker
from planner.ui.composer import BuildComposer
from planner.ui.data_notice import DataNotice
from planner.ui.estimate_tab import EstimateTab
from planner.ui.plan_pane import PlanPane
from planner.ui.services import Services
from planner.ui.state import PlannerState
from planner.ui.this_pc_pane import ThisPcPane

PaneFactory = Callable[[PlannerState, Services, QWidget], QWidget]
PaneT = TypeVar("PaneT", bound=QWidget)


class MainWindow(QMainWindow):
    """Signals: `first_shown()` — emitted once, after the window is first painted."""

    first_shown = Signal()

    def __init__(self, state: PlannerState, services: Services, panes: list[tuple[str, PaneFactory]]) -> None:
        super().__init__()
        self.state, self.services = state, services
        self.setWindowTitle("LLM Build Planner")
        self.undo = QUndoStack(self)
        self.library = BuildLibrary(state, services.userdb, self.undo, self)
        self.picker = BuildPicker(state, services, self.library, self)
        self.composer = BuildComposer(state, services, self, undo=self.undo)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.estimate_tab = EstimateTab(state, services, self)
        self.tabs.addTab(self.estimate_tab, "Estimate")
        self.panes: list[QWidget] = [self.estimate_tab]
        for title, factory in panes:
            pane = factory(state, services, self)
            self.panes.append(pane)
            self.tabs.addTab(pane, title)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.picker)
        left_layout.addWidget(self.composer, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(left)
        scroll.setMinimumWidth(430)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(scroll)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([450, 990])
        self.notice = DataNotice(services, self.library, self)
        central = QWidget(self)
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.addWidget(self.notice)
        central_layout.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.actions_by_name: dict[str, QAction] = {}
        self._build_menus()
        self.library.message.connect(self.show_message)
        self.library.failed.connect(self.show_error)
        self.picker.this_pc_requested.connect(self._on_picker_this_pc_requested)
        plan = self.pane(PlanPane)
        if plan is not None:  # the Plan pane saves results straight into the user database, and searches them
            plan.build_saved.connect(lambda _name: self.library.builds_changed.emit())
            self.library.builds_changed.connect(plan.inputs_changed)
        self.last_export: object | None = None  # the last build sheet written (ExportResult)
        self.state.build_failed.connect(lambda m: self.show_message(f"Build problem: {m}"))
        self._shown = False
        self._restore()

    # ---- menus ---------------------------------------------------------------
    def _action(
        self,
        menu_name: str,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    ) -> QAction:
        menu = self._menus[menu_name]
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        self.actions_by_name[text.rstrip("…")] = action
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self._menus = {name: bar.addMenu(name) for name in ("&File", "&Edit", "&View", "&Help")}
        self._action("&File", "Save build", lambda: act.save(self), QKeySequence.StandardKey.Save)
        self._action("&File", "Save build as…", lambda: act.save_as(self), QKeySequence.StandardKey.SaveAs)
        self._action("&File", "Rename build…", lambda: act.rename(self), "F2")
        self._action("&File", "Duplicate build", lambda: act.duplicate(self), "Ctrl+D")
        self._action("&File", "Delete build…", lambda: act.delete(self), "Ctrl+Del")
        self._menus["&File"].addSeparator()
        self._action("&File", "Import build…", lambda: act.import_build(self), "Ctrl+I")
        self._action("&File", "Export build…", lambda: act.export_build(self), "Ctrl+Shift+E")
        self._action("&File", "Export build sheet…", lambda: act.export_sheet(self), "Ctrl+E")
        self._menus["&File"].addSeparator()
        self._action("&File", "Quit", self.close, QKeySequence.StandardKey.Quit)
        undo = self.undo.createUndoAction(self, "&Undo")
        undo.setShortcuts(QKeySequence.StandardKey.Undo)
        redo = self.undo.createRedoAction(self, "&Redo")
        redo.setShortcuts(QKeySequence.StandardKey.Redo)  # Ctrl+Y and Ctrl+Shift+Z
        self._menus["&Edit"].addActions([undo, redo])
        self._menus["&Edit"].addSeparator()
        preferences = QKeySequence(QKeySequence.StandardKey.Preferences)
        self._action(
            "&Edit",
            "Preferences…",
            lambda: act.preferences(self),
            preferences if not preferences.isEmpty() else "Ctrl+,",
        )
        for index, pane in enumerate(self.panes):
            self._action("&View", self.tabs.tabText(index), self._show_tab(pane), f"Ctrl+{index + 1}")
        self._action("&Help", "About LLM Build Planner", lambda: act.about(self))

    def _show_tab(self, pane: QWidget) -> Callable[[], None]:
        return lambda: self.tabs.setCurrentWidget(pane)

    def pane(self, kind: type[PaneT]) -> PaneT | None:
        """The tab of this type, if the window has one (tests build windows with fewer panes)."""
        return next((p for p in self.panes if isinstance(p, kind)), None)

    def _on_picker_this_pc_requested(self) -> None:
        pane = self.pane(ThisPcPane)
        if pane is None:
            self.show_message("This window has no This PC pane")
            return
        self.tabs.setCurrentWidget(pane)
        pane.use_as_current_build()

    # ---- status and persistence ---------------------------------------------
    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def show_error(self, title: str, text: str) -> None:
        """A write did not happen: say so in a window-modal box that does not block the event loop."""
        self.statusBar().showMessage(f"{title} failed: {text}", 15000)
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("writeFailedBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _restore(self) -> None:
        settings = self.services.settings
        geometry, window_state = settings.get("window_geometry"), settings.get("window_state")
        if geometry:
            self.restoreGeometry(geometry)
        else:
            screen = self.screen().availableGeometry()
            self.resize(min(1440, int(screen.width() * 0.95)), min(900, int(screen.height() * 0.95)))
        if window_state:
            self.restoreState(window_state)
        self.tabs.setCurrentIndex(min(int(settings.get("last_tab")), self.tabs.count() - 1))

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        if not self._shown:
            self._shown = True
            self.first_shown.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        settings = self.services.settings
        settings.set("window_geometry", self.saveGeometry())
        settings.set("window_state", self.saveState())
        settings.set("last_tab", self.tabs.currentIndex())
        settings.sync()
        super().closeEvent(event)

    def about_text(self) -> str:
        return (
            f"LLM Build Planner {__version__}\nCatalog {self.services.catalog.version}\n"
            f"Calibration: {self.services.calibration.source}"
        )
