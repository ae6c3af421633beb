"""The app's current selection: one build, one workload, and their estimate.

Panes change it through the setters and listen to its signals; none of them holds a
copy of the estimate logic. Estimates take milliseconds, so they run on the UI thread.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Signal

from planner.catalog.build_names import canonical_spec
from planner.catalog.builds import build_from_spec
from planner.core.estimate import Estimate
from planner.core.hardware import Build
from planner.core.llama_settings import LlamaSettings
from planner.core.workload import Workload
from planner.errors import PlannerError
from planner.estimation.run_answer import RunAnswer
from planner.measure.correction import Correction
from planner.measure.this_pc import ThisPcEstimate, estimate_this_pc, fit_this_pc_correction, is_this_pc
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
    `preferences_changed()` (currency, electricity price and the other preferences),
    `measurements_changed()` (a run on this PC was stored or imported),
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
    preferences_changed = Signal()
    measurements_changed = Signal()

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        settings = services.settings
        self.spec: dict[str, Any] = copy.deepcopy(DEFAULT_SPEC)
        self.build: Build = build_from_spec(services.catalog, self.spec)
        self.saved_name: str | None = None  # the saved build this spec came from, if any
        self._restore_last_build()
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
        self.this_pc_estimate: ThisPcEstimate | None = None  # set while the build is This PC
        self._correction: tuple[int, Correction] | None = None
        self.answer: RunAnswer | None = None
        try:
            self._compute()
        except PlannerError:
            self.estimate = self.answer = None

    # ---- build ---------------------------------------------------------------
    def _restore_last_build(self) -> None:
        """The build of the last session; one that no longer assembles is skipped, never fatal."""
        text = str(self.services.settings.get("last_build_spec"))
        if not text:
            return
        try:
            spec = json.loads(text)
            build = build_from_spec(self.services.catalog, spec)
        except (ValueError, TypeError, PlannerError):
            return
        self.spec, self.build = spec, build
        self.saved_name = str(self.services.settings.get("last_saved_build")) or None

    def _remember(self) -> None:
        settings = self.services.settings
        settings.set("last_build_spec", json.dumps(self.spec, sort_keys=True))
        settings.set("last_saved_build", self.saved_name or "")

    def set_spec(self, spec: dict[str, Any], saved_name: str | None = None) -> bool:
        """Assemble `spec`; on a bad spec keep the last good build and say why."""
        try:
            spec = canonical_spec(self.services.catalog, spec)
            build = build_from_spec(self.services.catalog, spec)
        except PlannerError as exc:
            self.build_failed.emit(str(exc))
            return False
        self.spec = copy.deepcopy(spec)
        self.build = build
        self.saved_name = saved_name
        self._remember()
        self.build_changed.emit(build)
        self.recompute()
        return True

    def set_build(self, build: Build, spec: dict[str, Any]) -> None:
        """Use an already-assembled build (This PC)."""
        self.spec = copy.deepcopy(spec)
        self.build = build
        self.saved_name = None
        self._remember()
        self.build_changed.emit(build)
        self.recompute()

    def reload_user_catalog(self) -> None:
        """Custom entries or prices changed: re-read them and re-price the current build."""
        self.services.load_user_catalog()
        self.catalog_changed.emit()
        self.set_spec(self.spec, saved_name=self.saved_name)

    def apply_preferences(self) -> None:
        """Preferences were saved: new cost settings and GPU share, then every pane recomputes."""
        self.services.refresh_cost_settings()
        self.preferences_changed.emit()
        self.set_workload(gpu_memory_fraction=unified_share(self.services.settings))
        self.recompute()

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

    # ---- this PC's measurements ----------------------------------------------
    def refresh_measurements(self) -> None:
        """A measurement was stored, imported or removed: re-read them and re-estimate."""
        self.services.forget_pc_facts()
        self._correction = None
        self.recompute()
        self.measurements_changed.emit()

    def set_adjust_to_measurements(self, on: bool) -> None:
        if bool(self.services.settings.get("adjust_to_measurements")) != on:
            self.services.settings.set("adjust_to_measurements", on)
            self.recompute()
            self.measurements_changed.emit()

    def _correction_for(self, build: Build) -> Correction:
        facts = self.services.pc_facts()
        key = hash((build, facts.ram, facts.pcie_gbs, len(facts.measurements)))
        if self._correction is None or self._correction[0] != key:
            self._correction = (key, fit_this_pc_correction(self.services.estimator, build, facts))
        return self._correction[1]

    def this_pc_estimate_for(self, build: Build, workload: Workload | None = None) -> ThisPcEstimate:
        """This PC's estimate, with its measured RAM, PCIe and runs (planner.measure.this_pc)."""
        adjust = bool(self.services.settings.get("adjust_to_measurements"))
        return estimate_this_pc(
            self.services.estimator, build, self.model_id, self.quant, workload or self.workload,
            self.services.pc_facts(), adjust, self._correction_for(build),
        )  # fmt: skip

    # ---- estimate ------------------------------------------------------------
    def estimate_for(self, build: Build, workload: Workload | None = None) -> Estimate:
        if is_this_pc(build):
            return self.this_pc_estimate_for(build, workload).estimate
        return self.services.estimator.estimate_build(build, self.model_id, self.quant, workload or self.workload)

    def _answer(self) -> RunAnswer:
        return self.services.estimator.run_build(self.build, self.model_id, self.quant, self.workload, self.settings)

    def _compute(self) -> None:
        """The run answer (settings, commands) and the estimate; This PC's estimate goes through its
        measured RAM, PCIe links and runs (planner.measure.this_pc)."""
        self.answer = self._answer()
        self.this_pc_estimate = self.this_pc_estimate_for(self.build) if is_this_pc(self.build) else None
        self.estimate = self.this_pc_estimate.estimate if self.this_pc_estimate else self.answer.estimate

    def recompute(self) -> None:
        try:
            self._compute()
        except PlannerError as exc:
            self.estimate = self.answer = None
            self.estimate_failed.emit(str(exc))
            self.estimate_changed.emit(None)
            self.answer_changed.emit(None)
            return
        self.estimate_changed.emit(self.estimate)
        self.answer_changed.emit(self.answer)
