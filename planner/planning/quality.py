"""Best quality that qualifies": each build with the best-quality quant (lowest published KL
divergence vs 16-bit) that meets every filter of a plan request."""

from __future__ import annotations

from dataclasses import replace

from planner.catalog.store import Catalog
from planner.errors import InputError
from planner.planning.candidates import Evaluated, Evaluation
from planner.planning.search import Plan, Planner, PlanRequest, PlanResult, failures, plan_result, rank_key


def quality_order(catalog: Catalog, model_name: str) -> list[str]:
    """Quants with a published quality figure, best (lowest KL divergence, then fewest bits) first."""
    model = catalog.model(model_name)
    rows = [r for r in catalog.quant_rows.values() if r.get("kld") is not None]
    rows = [r for r in rows if model.is_moe or not r.get("expert_bpw")]
    return [r["name"] for r in sorted(rows, key=lambda r: (r["kld"], r["body_bpw"]))]


def plan_best_quality(planner: Planner, request: PlanRequest) -> Plan:
    """Each build with the best-quality quant (lowest published KL divergence) that meets every
    filter, so "best quality that fits at N tok/s" is one search."""
    vendors = planner.check_vendors(request.vendors)
    chosen: dict[str, Evaluated] = {}
    last: tuple[Evaluation, PlanRequest] | None = None
    names = quality_order(planner.catalog, request.model)
    for name in names:
        one = replace(request, quant=name)
        evaluation = planner.evaluate(one)
        last = (evaluation, one)
        for ev in evaluation.evaluated:
            key = str(ev.candidate.spec.get("name") or ev.estimate.build.name)
            if key not in chosen and not failures(ev, one, vendors):
                chosen[key] = ev
    if last is None:
        raise InputError("no quant has a published quality figure")
    evaluation, smallest = last
    passing = sorted(chosen.values(), key=rank_key(request.rank))
    shown = passing if request.limit is None else passing[: request.limit]
    rejected: dict[str, int] = {}
    for ev in evaluation.evaluated:
        key = str(ev.candidate.spec.get("name") or ev.estimate.build.name)
        for reason in () if key in chosen else failures(ev, smallest, vendors):
            rejected[reason] = rejected.get(reason, 0) + 1
    model_name = evaluation.evaluated[0].estimate.model.name if evaluation.evaluated else request.model
    return Plan(
        request=request, model_name=model_name, quant_name="at the best quality that qualifies",
        results=tuple(_quality_result(ev, request) for ev in shown),
        qualifying=len(passing), searched=len(evaluation.evaluated), unpriced=evaluation.unpriced,
        invalid=evaluation.invalid, rejected=rejected,
        suggestions=() if passing else planner.suggest(evaluation, smallest, vendors),
    )  # fmt: skip


def _quality_result(ev: Evaluated, request: PlanRequest) -> PlanResult:
    """The plan result, its reasons led by the chosen quant and its quality."""
    result = plan_result(ev, replace(request, quant=ev.estimate.quant.name))
    quant = ev.estimate.quant
    ppl = "" if quant.ppl_increase_pct is None else f", +{quant.ppl_increase_pct:.1f}% perplexity"
    first = f"best quality that qualifies: {quant.name} (KL divergence {quant.kld or 0:.4f} vs 16-bit{ppl})"
    return replace(result, why=(first, *result.why))
