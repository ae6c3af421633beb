"""`--best` and the Run-it chart on the estimator: evaluate settings, search, report."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from planner.core.estimate import Estimate
from planner.core.hardware import Build
from planner.core.llama_settings import LlamaSettings
from planner.core.placement import Fit
from planner.core.workload import Workload
from planner.errors import InputError, PlannerError
from planner.estimation.front import Estimator
from planner.estimation.run_answer import RunAnswer
from planner.estimation.settings_request import SETTINGS_KEYS, settings_for
from planner.planning.best_settings import Evaluate, Point, curve, offload_values, search

SEARCHED_KEYS = {
    "gpu_layers", "n_cpu_moe", "cpu_moe", "cache_type_k", "cache_type_v", "kv_cache", "flash_attn", "ubatch",
}  # fmt: skip


@dataclass(frozen=True)
class RunTarget:
    """One build, model, quant and workload whose llama.cpp settings are being chosen."""

    estimator: Estimator
    build: Build
    model_id: str
    quant: str
    workload: Workload
    file_size_gib: float | None = None

    def evaluator(self, with_max_context: bool) -> Evaluate:
        model = self.estimator.catalog.model(self.model_id)
        quant = self.estimator.resolved_quant(model, self.quant, self.file_size_gib)

        def evaluate(settings: LlamaSettings) -> Point:
            try:
                e = self.estimator.estimate_settings(
                    self.build, model, quant, self.workload, settings, with_max_context
                )
            except PlannerError:
                return Point(settings, False, 0.0, 0.0, 0, 0.0, gpu_ok=False)
            return point_of(e, settings, with_max_context)

        return evaluate


def point_of(e: Estimate, settings: LlamaSettings, with_max_context: bool) -> Point:
    """A setting fits when it loads as asked: every layer -ngl names on the GPUs (all of them and
    the output when -ngl is left to the planner, as with `-ngl 999 --n-cpu-moe N`) and the rest
    in system RAM. A setting that only fits by spilling more layers is a different setting."""
    p = e.placement
    vram = max((d.used_bytes for d in p.devices), default=0.0)
    ram_ok = p.verdict != Fit.NONE and e.decode_tok_s is not None
    gpu_ok = True
    if p.devices:
        asked = p.total_layers if settings.gpu_layers is None else min(settings.gpu_layers, p.total_layers)
        wants_output = settings.gpu_layers is None or settings.gpu_layers > p.total_layers
        gpu_ok = p.gpu_layers == asked and (p.output_on_gpu or not wants_output)
    fits = ram_ok and gpu_ok
    return Point(
        settings=settings,
        fits=fits,
        decode_tok_s=e.decode_tok_s or 0.0,
        prefill_tok_s=e.prefill_tok_s or 0.0,
        max_context=max(e.max_context_on_gpu, 0) if with_max_context else 0,
        vram_bytes=vram,
        gpu_ok=gpu_ok,
    )


def best_answer(target: RunTarget, base: LlamaSettings, fixed: set[str], objective: str) -> RunAnswer:
    """The best settings as a full answer, with the objective, the runner-up and the search size."""
    model = target.estimator.catalog.model(target.model_id)
    result = search(
        target.evaluator(with_max_context=False),
        base,
        fixed,
        objective,
        model.is_moe,
        model.n_layers,
        model.n_dense_layers,
        refine=target.evaluator(with_max_context=True) if objective == "context" else None,
    )
    if result is None:
        raise InputError("no llama.cpp settings fit this model on this build; add memory or pick a smaller quant")
    chosen = result.best.settings
    if objective == "context" and result.best.max_context > chosen.context and "context" not in fixed:
        chosen = replace(chosen, context=result.best.max_context)  # the longest context is the answer
    answer = target.estimator.run_build(
        target.build, target.model_id, target.quant, target.workload, chosen, target.file_size_gib
    )
    best: dict[str, Any] = {
        "objective": objective,
        "evaluated": result.evaluated,
        "searched": sorted(SEARCHED_KEYS - fixed),
        "kept": sorted(fixed & SEARCHED_KEYS),
        "decode_tok_s": round(result.best.decode_tok_s, 2),
        "prefill_tok_s": round(result.best.prefill_tok_s, 2),
        "runner_up": None,
    }
    if objective == "context":
        best["max_context"] = result.best.max_context
    if result.runner_up is not None:
        r = result.runner_up
        best["runner_up"] = {
            "settings": r.settings.to_dict(),
            "decode_tok_s": round(r.decode_tok_s, 2),
            "prefill_tok_s": round(r.prefill_tok_s, 2),
            "max_context": r.max_context,
        }
    best["summary"] = _summary(best)
    return replace(answer, best=best)


def best_for_request(estimator: Estimator, request: dict[str, Any]) -> RunAnswer:
    """`planner estimate ... --best [speed|context|prompt]`."""
    objective = request.get("best") or "speed"
    plain = {k: v for k, v in request.items() if k != "best"}
    answer = estimator.run(plain)  # validates the request and resolves the build
    base = settings_for(plain)
    fixed = {k for k in SETTINGS_KEYS if plain.get(k) is not None}
    target = RunTarget(
        estimator, answer.estimate.build, answer.estimate.model.id, str(plain["quant"]), answer.estimate.workload,
        plain.get("file_size_gib"),
    )  # fmt: skip
    return best_answer(target, base, fixed, objective)


def offload_curve(target: RunTarget, settings: LlamaSettings) -> tuple[str, list[Point]]:
    """Speed and VRAM against experts in RAM (MoE) or GPU layers (dense), for the Run-it chart."""
    model = target.estimator.catalog.model(target.model_id)
    knob, values = offload_values(model.is_moe, model.n_layers, model.n_dense_layers)
    return knob, curve(target.evaluator(with_max_context=False), settings, knob, sorted(values))


def _summary(best: dict[str, Any]) -> str:
    text = f"{best['objective']}: {best['decode_tok_s']} tok/s generation, {best['prefill_tok_s']} tok/s prompt"
    if best.get("max_context"):
        text += f", context up to {best['max_context']:,}"
    runner = best.get("runner_up")
    if runner:
        text += f" (runner-up {runner['decode_tok_s']} tok/s)"
    return text + f"; {best['evaluated']} settings tried"
