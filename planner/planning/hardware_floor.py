"""The seed article's "model class -> local hardware floor" table, recomputed from the catalog.

For each class, one or two representative catalog models are planned at Q4_K_M with 8K context:
the cheapest build that runs them at all, the cheapest at a readable speed, and the article's own
named hardware estimated the same way, so the table shows where the article was optimistic.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from planner.catalog.builds import build_from_spec, preset_spec
from planner.core.estimate import estimate
from planner.core.placement import Fit
from planner.core.workload import Workload
from planner.planning.candidates import footprint_gb, gpu_spec
from planner.planning.search import Planner, PlanRequest, PlanResult

FLOOR_QUANT = "Q4_K_M"
FLOOR_CONTEXT = 8192
FLOOR_MIN_TOK_S = 10.0  # a readable generation speed: the floor's second column
ARTICLE_SOURCE = "seed article (SpecPicks, 2026-05-29), table 'Model class / Local hardware floor in 2026'"


@dataclass(frozen=True)
class ArticleClaim:
    """One row of the article's table, quoted, with the catalog models and builds it maps to."""

    model_class: str
    floor_text: str
    notes_text: str
    model_ids: tuple[str, ...]
    claimed: tuple[tuple[str, dict[str, Any]], ...]  # (the article's words, a build reference)
    remark: str = ""


def _preset(preset_id: str) -> dict[str, Any]:
    return {"preset": preset_id}


def _gpus(gpu_id: str, count: int = 1) -> dict[str, Any]:
    return {"gpu": gpu_id, "count": count}


def _mac(chip: str, memory_gb: float) -> dict[str, Any]:
    return {"apple_chip": chip, "unified_memory_gb": memory_gb}


ARTICLE_CLAIMS = (
    ArticleClaim(
        "3B–7B (Llama-3 8B, Qwen 2.5 7B, Phi-4 7B)", "RTX 3060 12GB, Ryzen 5800X",
        "q5_K_M with 8K–16K context comfortable", ("llama-3-8b",),
        (("RTX 3060 12GB, Ryzen 5800X", _preset("rtx3060-5800x-box")),),
    ),
    ArticleClaim(
        "13B–14B (Qwen 2.5 14B, Mistral Nemo)", "RTX 3060 12GB (tight), RTX 4060 16GB, M2 16GB",
        "q4_K_M, 8K context", ("qwen2.5-14b",),
        (
            ("RTX 3060 12GB (tight)", _preset("rtx3060-5800x-box")),
            ("RTX 4060 16GB", _gpus("rtx-4060-ti-16gb")),
            ("M2 16GB", _mac("m2-10c", 16)),
        ),
        "There is no 16GB RTX 4060; the RTX 4060 Ti 16GB stands in for it.",
    ),
    ArticleClaim(
        "27B–32B (Gemma 2 27B, Qwen 2.5 32B, DeepSeek Coder 33B)", "RTX 4090 / 3090 (24GB), M3 Max 36GB",
        "q4_K_M with partial offload at longer context", ("qwen2.5-32b",),
        (
            ("RTX 4090", _gpus("rtx-4090")),
            ("3090 (24GB)", _preset("rtx3090-build")),
            ("M3 Max 36GB", _preset("m3-max-36gb")),
        ),
    ),
    ArticleClaim(
        "70B+ (Llama-3 70B, DeepSeek-V3 etc.)", "2× RTX 3090, RTX 6000 Ada, M3 Ultra 192GB",
        "Full-precision out of reach; quantized requires careful KV-cache management", ("llama-3-70b",),
        (
            ("2× RTX 3090", _preset("2x-rtx3090")),
            ("RTX 6000 Ada", _preset("rtx6000-ada-workstation")),
            ("M3 Ultra 192GB", _preset("m3-ultra-192gb")),
        ),
        "DeepSeek-V3 (671B) belongs to the 400B+ row; it is checked there.",
    ),
    ArticleClaim(
        "400B+ (Llama-3 405B, DeepSeek V3 671B MoE)", "8× consumer GPU minimum; Apple M3/M4 Ultra 192GB+ for MoE",
        "MoE helps because active params << total", ("deepseek-v3", "llama-3.1-405b"),
        (
            ("8× consumer GPU (8× RTX 3090)", _gpus("rtx-3090", 8)),
            ("Apple M3 Ultra 192GB+ (512GB)", _mac("m3-ultra-80c", 512)),
        ),
        "There is no M4 Ultra; the M3 Ultra 512GB is the largest Apple configuration.",
    ),
    ArticleClaim(
        "Frontier (GPT-5.x class, presumed 1T+ dense)", "Out of reach for consumer hardware",
        "Wafer-scale or multi-rack GPU clusters only", (), (),
        "No open-weights model of this class exists, so the catalog has nothing to plan.",
    ),
)  # fmt: skip


@dataclass(frozen=True)
class ClaimCheck:
    """The article's named hardware, estimated for the representative model."""

    label: str
    build_name: str
    fit: Fit
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
        missed = [c for c in self.checks if c.fit == Fit.NONE or (c.decode_tok_s or 0.0) < FLOOR_MIN_TOK_S]
        if not missed:
            return "holds"
        return "optimistic: " + "; ".join(
            f"{c.label} does not fit" if c.fit == Fit.NONE else f"{c.label} runs at {c.decode_tok_s:.1f} tok/s"
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
            "model": self.model_name,
            "cheapest": brief(self.cheapest),
            "cheapest_readable": brief(self.cheapest_readable),
            "article_hardware": [c.__dict__ for c in self.checks],
            "verdict": self.verdict,
        }


def hardware_floor(planner: Planner, used: bool = True) -> list[FloorRow]:
    """The article's table, one row per (class, representative model), at Q4_K_M with 8K context."""
    rows = []
    for claim in ARTICLE_CLAIMS:
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
