"""`planner --self-test`: open the window, load the catalog, estimate every preset,
exercise each pane, print a JSON summary. Packaging uses it as the frozen app's smoke test."""

from __future__ import annotations

import functools
import json
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from functools import partial
from typing import Any

import psutil
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from planner.catalog.builds import preset_spec
from planner.catalog.store import Catalog
from planner.ui.main_window import MainWindow

FIRST_PAINT_TIMEOUT_MS = 20_000


def catalog_summary(catalog: Catalog) -> str:
    """Counted as the Catalog pane counts: its GPU list holds the Apple chips too."""
    gpus, chips = len(catalog.gpu_rows), len(catalog.apple_rows)
    return (
        f"catalog {catalog.version}: {gpus + chips} GPUs and Apple chips ({gpus} GPUs, {chips} Apple chips), "
        f"{len(catalog.model_rows)} models"
    )


class SelfTest(QObject):
    def __init__(self, app: QApplication, window: MainWindow) -> None:
        super().__init__(window)
        self.app, self.window = app, window
        self.started = psutil.Process().create_time()
        self.startup_s: float | None = None
        self.update_ms: list[float] = []
        self.errors: list[str] = []
        self.checked: list[str] = []
        window.installEventFilter(self)
        QTimer.singleShot(FIRST_PAINT_TIMEOUT_MS, self._on_timeout)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Paint and self.startup_s is None:
            self.startup_s = time.time() - self.started
            QTimer.singleShot(0, self._run_checks)
        return super().eventFilter(watched, event)

    def exec(self) -> int:
        return int(self.app.exec())

    def _timed(self, label: str, change: Callable[[], Any]) -> None:
        start = time.perf_counter()
        try:
            change()
        except Exception as exc:  # the self-test reports every failure rather than stopping
            self.errors.append(f"{label}: {exc!r}\n{traceback.format_exc()}")
            return
        self.update_ms.append((time.perf_counter() - start) * 1000)

    def _use_preset(self, preset_id: str) -> None:
        self.window.state.set_spec(preset_spec(self.window.services.catalog, preset_id))

    def _run_checks(self) -> None:
        state, catalog = self.window.state, self.window.services.catalog
        self.checked.append(catalog_summary(catalog))
        for preset_id in catalog.preset_rows:
            self._timed(f"preset {preset_id}", functools.partial(self._use_preset, preset_id))
            if state.estimate is None and state.build.dataflow is None:  # dataflow: vendor figures instead
                self.errors.append(f"preset {preset_id}: no estimate")
        for spec in self.window.services.userdb.builds():  # the user's own, as the app would load them
            self._timed(f"saved build {str(spec['name'])[:60]}", partial(state.set_spec, spec, str(spec["name"])))
        self._timed("context", lambda: state.set_workload(context=16384))
        self._timed("kv cache", lambda: state.set_workload(kv_cache="q8_0"))
        self._timed("model", lambda: state.set_model("qwen2.5-7b"))
        self._timed("quant", lambda: state.set_quant("Q8_0"))
        for index in range(self.window.tabs.count()):
            title = self.window.tabs.tabText(index)
            try:
                self.window.tabs.setCurrentIndex(index)
                self.window.tabs.currentWidget().grab()
                self.checked.append(f"pane {title}")
            except Exception as exc:  # report, don't stop
                self.errors.append(f"pane {title}: {exc!r}")
        QTimer.singleShot(0, self._finish)

    def _on_timeout(self) -> None:
        if self.startup_s is None:
            self.errors.append(f"the window was not painted within {FIRST_PAINT_TIMEOUT_MS / 1000:g} s")
            self._finish()

    def _finish(self) -> None:
        summary = {
            "ok": not self.errors,
            "startup_s": None if self.startup_s is None else round(self.startup_s, 3),
            "update_ms": round(statistics.median(self.update_ms), 2) if self.update_ms else None,
            "update_ms_max": round(max(self.update_ms), 2) if self.update_ms else None,
            "presets_estimated": len(self.window.services.catalog.preset_rows),
            "user_db_version": self.window.services.userdb.version,
            "user_data": {
                "notices": self.window.services.startup_notices(),
                "damaged_builds": [f"{r.name}: {r.reason}" for r in self.window.services.userdb.damaged_builds()],
                "saved_builds": len(self.window.services.userdb.builds()),
            },
            "checked": self.checked,
            "errors": self.errors,
        }
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
        sys.stdout.flush()
        self.window.services.workers.wait(10_000)
        self.window.close()
        self.app.exit(0 if not self.errors else 1)
