"""The seed article's "model class -> local hardware floor" table, recomputed from the catalog.

The article's rows are catalog data (db/data/article_floor.json, quoted and cited row by row).

For each class, one or two representative catalog models are planned at Q4_K_M with 8K context:
the cheapest build that runs them at all, the cheapest at a readable speed, and the article's own
named hardware estimated the same way, so the table shows where the article was optimistic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from planner.catalog.builds import build_from_spec, preset_spec
from planner.catalog.store import Catalog
from planner.core.estimate import estimate
from planner.core.placement import FIT_NONE
from planner.core.workload import Workload
from planner.planning.candidates import footprint_gb, gpu_spec
from planner.planning.search import Planner, PlanRequest, PlanResult

FLOOR_QUANT = "Q4_K_M"
FLOOR_CONTEXT = 8192
FLOOR_MIN_TOK_S = 10.0  # a readable generation speed: the floor's second column


@dataclass(frozen=True)
class ArticleClaim:
    """One row of the article's table (catalog table `article_floor`, from db/data/article_floor.json)."""

    model_class: str
    floor_text: str
    notes_text: str
    model_ids: tuple[str, ...]
    claimed: tuple[tuple[str, dict[str, Any]], ...]  # (the article's words, a build reference)
    remark: str
    source_url: str
    as_of: str


def article_claims(catalog: Catalog) -> tuple[ArticleClaim, ...]:
    """The article's table, quoted, in its own order."""
    return tuple(_claim(row) for row in catalog.article_floor())


def _claim(row: dict[str, Any]) -> ArticleClaim:
    return ArticleClaim(
        model_class=row["model_class"], floor_text=row["floor_text"], notes_text=row["notes_text"],
        model_ids=tuple(m for m in row["model_ids"].split(";") if m),
        claimed=tuple((c["label"], c["build"]) for c in json.loads(row["claims_json"])),
        remark=row["remark"], source_url=row["source_url"], as_of=row["as_of"],
    )  # fmt: skip


def article_source(catalog: Catalog) -> str:
    """The article, as its rows cite it (without the row number)."""
    sources = {c.source_url.rsplit(", row ", 1)[0] for c in article_claims(catalog)}
    return "; ".join(sorted(sources))


@dataclass(frozen=True)
class ClaimCheck:
    """The article's named hardware, estimated for the representative model."""

    label: str
    build_name: str
    fit: str
    decode_tok_s: float | None
    price_usd: float | None


@dataclass(frozen=True)
class FloorRow:
    claim: ArticleClaim
    model_name: str | None
    cheapest: PlanResult | None  # runs at all
    cheapest_readable: PlanResult | None  # at FLOOR_MIN_TOK_S or more
    checks: tuple[ClaimCheck, ...]

    @property
    def verdict(self) -> str:
        if self.model_name is None:
            return "no open model to check"
        missed = [c for c in self.checks if c.fit == FIT_NONE or (c.decode_tok_s or 0.0) < FLOOR_MIN_TOK_S]
        if not missed:
            return "holds"
        return "optimistic: " + "; ".join(
            f"{c.label} does not fit" if c.fit == FIT_NONE else f"{c.label} runs at {c.decode_tok_s:.1f} tok/s"
            for c in missed
        )

    def to_dict(self) -> dict[str, Any]:
        def brief(r: PlanResult | None) -> dict[str, Any] | None:
            return None if r is None else {**r.to_dict(), "spec": r.spec}

        return {
            "model_class": self.claim.model_class,
            "article_floor": self.claim.floor_text,
            "article_notes": self.claim.notes_text,
            "remark": self.claim.remark,
            "source_url": self.claim.source_url,
            "model": self.model_name,
            "cheapest": brief(self.cheapest),
            "cheapest_readable": brief(self.cheapest_readable),
            "article_hardware": [c.__dict__ for c in self.checks],
            "verdict": self.verdict,
        }


def hardware_floor(planner: Planner, used: bool = True) -> list[FloorRow]:
    """The article's table, one row per (class, representative model), at Q4_K_M with 8K context."""
    rows = []
    for claim in article_claims(planner.catalog):
        if not claim.model_ids:
            rows.append(FloorRow(claim, None, None, None, ()))
        for model_id in claim.model_ids:
            request = PlanRequest(model=model_id, quant=FLOOR_QUANT, context=FLOOR_CONTEXT, used=used, limit=1)
            runs = planner.plan(request)
            readable = planner.plan(replace(request, min_tok_s=FLOOR_MIN_TOK_S))
            rows.append(
                FloorRow(
                    claim, runs.model_name, next(iter(runs.results), None), next(iter(readable.results), None),
                    tuple(_check(planner, model_id, label, ref) for label, ref in claim.claimed),
                )
            )  # fmt: skip
    return rows


def _check(planner: Planner, model_id: str, label: str, ref: dict[str, Any]) -> ClaimCheck:
    catalog = planner.catalog
    model, quant = catalog.model(model_id), catalog.quant(FLOOR_QUANT)
    workload = Workload(context=FLOOR_CONTEXT)
    if "preset" in ref:
        spec = preset_spec(catalog, ref["preset"])
    elif "gpu" in ref:
        footprint = footprint_gb(model, quant, workload)
        spec = gpu_spec(catalog, catalog.gpu_rows[ref["gpu"]], ref["count"], True, footprint)
    else:
        spec = {"name": label, **ref}
    est = estimate(build_from_spec(catalog, spec), model, quant, workload, planner.calibration, planner.cost_settings)
    return ClaimCheck(label, est.build.name, est.fit, est.decode_tok_s, est.cost.hardware_usd)
