"""The app's current selection: one build, one workload, and their estimate.

Panes change it through the setters and listen to its signals; none of them holds a
copy of the estimate logic. Estimates take milliseconds, so they run on the UI thread.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Signal

from planner.catalog.builds import build_from_spec
from planner.core.estimate import Estimate
from planner.core.hardware import Build
from planner.core.llama_settings import LlamaSettings
from planner.core.workload import Workload
from planner.errors import PlannerError
from planner.estimation.run_answer import RunAnswer
from planner.ui.services import Services
from planner.ui.settings import Settings

DEFAULT_SPEC: dict[str, Any] = {
    "name": "New build",
    "gpus": [{"gpu": "rtx-3060-12gb", "count": 1}],
    "cpu": "ryzen-7-5800x",
    "ram_gb": 32,
}


def unified_share(settings: Settings) -> float | None:
    share = float(settings.get("unified_gpu_share"))
    return share if share >= 0.1 else None


class PlannerState(QObject):
    """Signals: `build_changed(object)` (a Build), `build_failed(str)`, `workload_changed()`,
    `estimate_changed(object)` (an Estimate, or None when it cannot be computed),
    `estimate_failed(str)`, `catalog_changed()` (the user added entries or prices),
    `answer_changed(object)` (a RunAnswer: the estimate with llama.cpp's settings and commands,
    or None), `settings_changed()`."""

    build_changed = Signal(object)
    answer_changed = Signal(object)
    settings_changed = Signal()
    build_failed = Signal(str)
    workload_changed = Signal()
    estimate_changed = Signal(object)
    estimate_failed = Signal(str)
    catalog_changed = Signal()

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        settings = services.settings
        self.spec: dict[str, Any] = copy.deepcopy(DEFAULT_SPEC)
        self.build: Build = build_from_spec(services.catalog, self.spec)
        model = str(settings.get("last_model"))
        self.model_id = model if model in services.catalog.model_rows else next(iter(services.catalog.model_rows))
        self.quant = str(settings.get("default_quant"))
        self.workload = Workload(
            context=int(settings.get("default_context")),
            prompt=int(settings.get("default_prompt")),
            kv_cache=str(settings.get("default_kv_cache")),
            gpu_memory_fraction=unified_share(settings),
        )
        self.settings = LlamaSettings(
            context=self.workload.context, cache_type_k=self.workload.kv_cache, cache_type_v=self.workload.kv_cache
        )
        self.estimate: Estimate | None = None
        self.answer: RunAnswer | None = None
        self.saved_name: str | None = None  # the saved build this spec came from, if any
        try:
            self.answer = self._answer()
            self.estimate = self.answer.estimate
        except PlannerError:
            self.estimate = None

    # ---- build ---------------------------------------------------------------
    def set_spec(self, spec: dict[str, Any], saved_name: str | None = None) -> bool:
        """Assemble `spec`; on a bad spec keep the last good build and say why."""
        try:
            build = build_from_spec(self.services.catalog, spec)
        except PlannerError as exc:
            self.build_failed.emit(str(exc))
            return False
        self.spec = copy.deepcopy(spec)
        self.build = build
        self.saved_name = saved_name
        self.build_changed.emit(build)
        self.recompute()
        return True

    def set_build(self, build: Build, spec: dict[str, Any]) -> None:
        """Use an already-assembled build (This PC)."""
        self.spec = copy.deepcopy(spec)
        self.build = build
        self.saved_name = None
        self.build_changed.emit(build)
        self.recompute()

    def reload_user_catalog(self) -> None:
        """Custom entries or prices changed: re-read them and re-price the current build."""
        self.services.load_user_catalog()
        self.catalog_changed.emit()
        self.set_spec(self.spec, saved_name=self.saved_name)

    # ---- workload ------------------------------------------------------------
    def set_model(self, model_id: str) -> None:
        if model_id != self.model_id and model_id in self.services.catalog.model_rows:
            self.model_id = model_id
            # Offload counts belong to a model; the new one starts from llama.cpp's defaults.
            self.settings = replace(self.settings, gpu_layers=None, n_cpu_moe=0, cpu_moe=False)
            self.settings_changed.emit()
            self.services.settings.set("last_model", model_id)
            self._workload_changed()

    def set_quant(self, quant: str) -> None:
        if quant != self.quant:
            self.quant = quant
            self._workload_changed()

    def set_workload(self, **changes: Any) -> None:
        try:
            workload = replace(self.workload, **changes)
        except PlannerError as exc:
            self.estimate_failed.emit(str(exc))
            return
        if workload != self.workload:
            self.workload = workload
            synced = replace(
                self.settings,
                context=workload.context,
                cache_type_k=workload.kv_cache if "kv_cache" in changes else self.settings.cache_type_k,
                cache_type_v=workload.kv_cache if "kv_cache" in changes else self.settings.cache_type_v,
            )
            if synced != self.settings:
                self.settings = synced
                self.settings_changed.emit()
            self._workload_changed()

    def set_settings(self, settings: LlamaSettings) -> None:
        """New llama.cpp settings (Run it panel, best-settings search)."""
        if settings == self.settings:
            return
        self.settings = settings
        if settings.context != self.workload.context:
            self.workload = replace(self.workload, context=settings.context)
            self.workload_changed.emit()
        self.settings_changed.emit()
        self.recompute()

    def _workload_changed(self) -> None:
        self.workload_changed.emit()
        self.recompute()

    # ---- estimate ------------------------------------------------------------
    def estimate_for(self, build: Build, workload: Workload | None = None) -> Estimate:
        return self.services.estimator.estimate_build(build, self.model_id, self.quant, workload or self.workload)

    def _answer(self) -> RunAnswer:
        return self.services.estimator.run_build(self.build, self.model_id, self.quant, self.workload, self.settings)

    def recompute(self) -> None:
        try:
            self.answer = self._answer()
        except PlannerError as exc:
            self.estimate = self.answer = None
            self.estimate_failed.emit(str(exc))
            self.estimate_changed.emit(None)
            self.answer_changed.emit(None)
            return
        self.estimate = self.answer.estimate
        self.estimate_changed.emit(self.estimate)
        self.answer_changed.emit(self.answer)
