"""Buying advice: the cheapest builds that run a chosen model at a target speed.

`Planner.plan(request)` estimates every candidate (planning_candidates) for the model, quant,
context and KV type, keeps those that pass every filter and ranks them. The estimates of one
model are cached, so changing only filters or ranking (as a UI does) costs no new estimates.
When nothing qualifies, the plan says so and suggests the nearest options.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from planner.catalog.store import Catalog
from planner.core.calibration import PRIORS, Calibration
from planner.core.cost import CostSettings
from planner.core.estimate import Estimate
from planner.core.placement import Fit
from planner.core.workload import Workload
from planner.errors import InputError
from planner.planning.candidates import Evaluated, Evaluation, describe, evaluate_all

RANKINGS = ("price", "perf-per-dollar", "cost-per-mtok")
CACHE_SIZE = 8


@dataclass(frozen=True)
class PlanRequest:
    """What to run and what the build must achieve. `limit=None` returns every qualifying build."""

    model: str
    quant: str = "Q4_K_M"
    context: int = 8192
    kv_cache: str = "f16"
    min_tok_s: float = 0.0
    min_prompt_tok_s: float = 0.0
    budget_usd: float | None = None
    used: bool = False
    vendors: tuple[str, ...] = ()
    gpu_only: bool = False
    max_power_w: float | None = None
    rank: str = "price"
    limit: int | None = 10

    def __post_init__(self) -> None:
        for name in ("min_tok_s", "min_prompt_tok_s"):
            if getattr(self, name) < 0:
                raise InputError(f"{name.replace('_', '-')} cannot be negative")
        for name in ("budget_usd", "max_power_w"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise InputError(f"{name.replace('_', '-')} must be more than 0; got {value:g}")
        if self.rank not in RANKINGS:
            raise InputError(f"unknown ranking {self.rank!r}; choose one of {', '.join(RANKINGS)}")
        if self.limit is not None and self.limit < 1:
            raise InputError(f"limit must be at least 1; got {self.limit}")


@dataclass(frozen=True)
class PlanResult:
    """One qualifying build: its estimate, why it qualifies, and the spec that saves it."""

    name: str
    kind: str  # preset, saved, gpu, apu, apple, cpu-only
    spec: dict[str, Any]  # accepted by planner.catalog.builds.build_from_spec and UserDatabase.save_build
    estimate: Estimate
    vendors: tuple[str, ...]
    price_kinds: tuple[str, ...]
    why: tuple[str, ...]

    @property
    def fit(self) -> Fit:
        return self.estimate.fit

    @property
    def decode_tok_s(self) -> float | None:
        return self.estimate.decode_tok_s

    @property
    def prefill_tok_s(self) -> float | None:
        return self.estimate.prefill_tok_s

    @property
    def price_usd(self) -> float:
        return self.estimate.cost.hardware_usd or 0.0

    @property
    def power_w(self) -> float:
        return self.estimate.cost.power_load_w

    def to_dict(self) -> dict[str, Any]:
        d = self.estimate.to_dict()
        keys = (
            "fit", "gpu_layers", "total_layers", "max_context_on_gpu", "decode_tok_s", "decode_tok_s_range",
            "prefill_tok_s", "prefill_tok_s_range", "hardware_usd", "power_w", "usd_per_mtok", "tok_s_per_1000_usd",
        )  # fmt: skip
        return {
            "name": self.name, "kind": self.kind, "vendors": list(self.vendors),
            **{k: d[k] for k in keys}, "price_kinds": sorted(set(self.price_kinds)),
            "why": list(self.why), "spec": self.spec,
        }  # fmt: skip


@dataclass(frozen=True)
class Suggestion:
    label: str
    result: PlanResult


@dataclass(frozen=True)
class Plan:
    request: PlanRequest
    model_name: str
    quant_name: str
    results: tuple[PlanResult, ...]
    qualifying: int
    searched: int
    unpriced: tuple[str, ...]
    invalid: tuple[str, ...]
    rejected: dict[str, int] = field(default_factory=dict)
    suggestions: tuple[Suggestion, ...] = ()

    @property
    def impossible(self) -> bool:
        return not self.results

    @property
    def message(self) -> str:
        r = self.request
        target = f"{self.model_name} {self.quant_name} with {r.context:,} tokens of context"
        if self.results:
            return f"{self.qualifying} of {self.searched} priced builds run {target} and meet every filter."
        reasons = ", ".join(f"{n} {why}" for why, n in sorted(self.rejected.items(), key=lambda kv: -kv[1]))
        return f"No build in the catalog runs {target} within these limits ({self.searched} searched: {reasons})."

    def to_dict(self) -> dict[str, Any]:
        r = self.request
        return {
            "model": self.model_name, "quant": self.quant_name, "context": r.context, "kv_cache": r.kv_cache,
            "filters": {
                "min_tok_s": r.min_tok_s, "min_prompt_tok_s": r.min_prompt_tok_s, "budget_usd": r.budget_usd,
                "prices": "used" if r.used else "new", "vendors": list(r.vendors), "gpu_only": r.gpu_only,
                "max_power_w": r.max_power_w,
            },
            "rank": r.rank, "message": self.message, "impossible": self.impossible,
            "searched": self.searched, "qualifying": self.qualifying, "unpriced": list(self.unpriced),
            "invalid_saved_builds": list(self.invalid), "rejected": dict(self.rejected),
            "results": [x.to_dict() for x in self.results],
            "suggestions": [{"label": s.label, **s.result.to_dict()} for s in self.suggestions],
        }  # fmt: skip


def failures(ev: Evaluated, request: PlanRequest, vendors: frozenset[str]) -> list[str]:
    """Why a candidate misses the request (empty: it qualifies)."""
    est, r = ev.estimate, request
    out = []
    if est.fit == Fit.NONE:
        return ["do not fit"]
    if vendors and not vendors & {v.lower() for v in ev.vendors}:
        out.append("other vendor")
    if not r.used and "used" in ev.price_kinds:
        out.append("priced used")
    if r.gpu_only and est.fit != Fit.GPU:
        out.append("not fully on the GPU")
    if r.budget_usd is not None and ev.price_usd > r.budget_usd:
        out.append("over budget")
    if r.max_power_w is not None and est.cost.power_load_w > r.max_power_w:
        out.append("over the power limit")
    if ev.decode < r.min_tok_s:
        out.append("too slow")
    if ev.prefill < r.min_prompt_tok_s:
        out.append("prompt too slow")
    return out


def rank_key(rank: str) -> Callable[[Evaluated], tuple[Any, ...]]:
    name = lambda ev: ev.candidate.spec.get("name", "")  # noqa: E731
    if rank == "perf-per-dollar":
        return lambda ev: (-(ev.estimate.cost.tok_s_per_1000_usd or 0.0), ev.price_usd, name(ev))
    if rank == "cost-per-mtok":
        return lambda ev: (ev.estimate.cost.usd_per_mtok or float("inf"), ev.price_usd, name(ev))
    return lambda ev: (ev.price_usd, -ev.decode, name(ev))


def pareto_frontier(results: Sequence[PlanResult]) -> list[PlanResult]:
    """Results no other result beats on both price (lower) and generation speed (higher), cheapest first."""
    frontier: list[PlanResult] = []
    for result in sorted(results, key=lambda x: (x.price_usd, -(x.decode_tok_s or 0.0))):
        if not frontier or (result.decode_tok_s or 0.0) > (frontier[-1].decode_tok_s or 0.0):
            frontier.append(result)
    return frontier


@dataclass
class Planner:
    """Catalog + calibration + the user's saved build specs: everything a plan needs."""

    catalog: Catalog
    calibration: Calibration = PRIORS
    cost_settings: CostSettings = field(default_factory=CostSettings)
    saved_builds: Sequence[dict[str, Any]] = ()
    _cache: dict[tuple[Any, ...], Evaluation] = field(default_factory=dict, repr=False)

    def evaluate(self, request: PlanRequest) -> Evaluation:
        model = self.catalog.model(request.model)
        quant = self.catalog.quant(request.quant)
        if not quant.applies_to(model):
            raise InputError(quant.not_applicable(model))
        workload = Workload(context=request.context, kv_cache=request.kv_cache)
        key = (model.id, quant.name, request.context, request.kv_cache, request.used)
        if key not in self._cache:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = evaluate_all(
                self.catalog, self.calibration, self.cost_settings, model, quant, workload, request.used,
                self.saved_builds,
            )  # fmt: skip
        return self._cache[key]

    def known_vendors(self) -> list[str]:
        gpus = {r["vendor"] for r in self.catalog.gpu_rows.values()}
        return sorted(gpus | {r["vendor"] for r in self.catalog.cpu_rows.values()} | {"Apple"})

    def plan(self, request: PlanRequest) -> Plan:
        vendors = self._check_vendors(request.vendors)
        evaluation = self.evaluate(request)
        passing: list[Evaluated] = []
        rejected: dict[str, int] = {}
        for ev in evaluation.evaluated:
            why = failures(ev, request, vendors)
            for reason in why:
                rejected[reason] = rejected.get(reason, 0) + 1
            if not why:
                passing.append(ev)
        passing.sort(key=rank_key(request.rank))
        shown = passing if request.limit is None else passing[: request.limit]
        est = evaluation.evaluated[0].estimate if evaluation.evaluated else None
        return Plan(
            request=request,
            model_name=est.model.name if est else request.model,
            quant_name=est.quant.name if est else request.quant,
            results=tuple(_result(ev, request) for ev in shown),
            qualifying=len(passing),
            searched=len(evaluation.evaluated),
            unpriced=evaluation.unpriced,
            invalid=evaluation.invalid,
            rejected=rejected,
            suggestions=() if passing else self._suggest(evaluation, request, vendors),
        )

    def _check_vendors(self, requested: Sequence[str]) -> frozenset[str]:
        known = {v.lower(): v for v in self.known_vendors()}
        unknown = [v for v in requested if v.lower() not in known]
        if unknown:
            raise InputError(f"unknown vendor(s) {', '.join(unknown)}; choose from {', '.join(known.values())}")
        return frozenset(v.lower() for v in requested)

    def _suggest(self, evaluation: Evaluation, request: PlanRequest, vendors: frozenset[str]) -> tuple[Suggestion, ...]:
        runs = [ev for ev in evaluation.evaluated if ev.estimate.fit != Fit.NONE]
        budget = request.budget_usd
        over_budget = [ev for ev in runs if set(failures(ev, request, vendors)) == {"over budget"}]
        in_budget = [ev for ev in runs if budget is None or ev.price_usd <= budget]
        by_price = rank_key("price")
        fastest = max(in_budget, key=lambda ev: ev.decode, default=None) if budget else None
        options = [
            ("cheapest build that meets every filter but the budget", min(over_budget, key=by_price, default=None)),
            ("fastest build within the budget", fastest),
            ("cheapest build that runs it at all", min(runs, key=by_price, default=None)),
        ]
        labels: dict[int, tuple[list[str], Evaluated]] = {}
        for label, ev in options:
            if ev is not None:
                labels.setdefault(id(ev), ([], ev))[0].append(label)
        return tuple(Suggestion("; also the ".join(names), _result(ev, request)) for names, ev in labels.values())


def _result(ev: Evaluated, r: PlanRequest) -> PlanResult:
    return PlanResult(
        name=str(ev.candidate.spec.get("name") or ev.estimate.build.name),
        kind=ev.candidate.kind,
        spec=copy.deepcopy(ev.candidate.spec),
        estimate=ev.estimate,
        vendors=ev.vendors,
        price_kinds=ev.price_kinds,
        why=describe(
            ev.estimate,
            min_tok_s=r.min_tok_s,
            min_prompt_tok_s=r.min_prompt_tok_s,
            budget_usd=r.budget_usd,
            max_power_w=r.max_power_w,
        ),
    )
