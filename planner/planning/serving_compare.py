"""The seed article's claim, recomputed: what a token costs and how fast each user reads,
against load, on the article's builds, for an 8B and a 70B model.

"For 'serve a 70B model at scale', an 8x H200 box is more economical per token."
Consumer cards and Macs run llama.cpp (Q4_K_M); datacenter GPUs run TensorRT-LLM, the engine
with the most calibration rows on them (149 of 225), with FP8 weights where the GPU has FP8
units and BF16 on the A100; the CS-3 answers with Cerebras's published figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from planner.core.dataflow import DataflowAnswer
from planner.core.hardware import Build
from planner.errors import PlannerError
from planner.estimation.serving_front import ServeResult, ServingEstimator

SEED_BUILDS = ("3060 box", "3090 build", "M3 Ultra", "8x A100", "8x H200", "8x B200", "CS-3")
SEED_MODELS = ("llama-3.1-8b", "llama-3.3-70b")
LOADS = (1, 8, 64, 256)
DATACENTER_FORMAT = {"8x A100": "BF16"}  # Ampere has no FP8 units: BF16 there
DATACENTER_ENGINE = "trt-llm"


@dataclass(frozen=True)
class CompareRow:
    build: str
    model: str
    engine: str
    quant: str
    users: int | None
    per_user_tok_s: float | None
    output_tok_s: float | None
    usd_per_mtok: float | None
    max_users: int | None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def engine_for(build_name: str) -> tuple[str, str]:
    if build_name.startswith("8x"):
        return DATACENTER_ENGINE, DATACENTER_FORMAT.get(build_name, "FP8")
    return "llama.cpp", "Q4_K_M"


def rows_for(serving: ServingEstimator, build: Build, model: str, loads: tuple[int, ...] = LOADS) -> list[CompareRow]:
    """One build's rows: the engine people run on it, at each load."""
    segment = {a.segment for a in build.accelerators}
    engine, quant = (DATACENTER_ENGINE, "FP8") if segment == {"datacenter"} else ("llama.cpp", "Q4_K_M")
    if {a.architecture for a in build.accelerators} == {"Ampere"} and engine == DATACENTER_ENGINE:
        quant = "BF16"
    request = {
        "model": model,
        "quant": quant,
        "engine": engine,
        "users": ",".join(map(str, loads)),
        "input": 1024,
        "output": 256,
    }
    try:
        return _rows(build.name, model, engine, quant, serving.serve_build(build, request))
    except PlannerError as exc:
        return [CompareRow(build.name, model, engine, quant, None, None, None, None, None, str(exc))]


def compare(
    serving: ServingEstimator,
    builds: tuple[str, ...] = SEED_BUILDS,
    models: tuple[str, ...] = SEED_MODELS,
    loads: tuple[int, ...] = LOADS,
) -> list[CompareRow]:
    rows: list[CompareRow] = []
    for build_name in builds:
        build = serving.estimator.build_for({"preset": build_name})
        for model in models:
            engine, quant = engine_for(build_name)
            request = {
                "model": model,
                "quant": quant,
                "engine": engine,
                "users": ",".join(map(str, loads)),
                "input": 1024,
                "output": 256,
            }
            try:
                result = serving.serve_build(build, request)
            except PlannerError as exc:
                rows.append(CompareRow(build.name, model, engine, quant, None, None, None, None, None, str(exc)))
                continue
            rows.extend(_rows(build.name, model, engine, quant, result))
    return rows


def _rows(build: str, model: str, engine: str, quant: str, result: ServeResult | DataflowAnswer) -> list[CompareRow]:
    if isinstance(result, DataflowAnswer):
        note = f"{result.units_needed} system(s), {result.units_basis}; vendor-published speed, one stream"
        return [
            CompareRow(
                build,
                model,
                "vendor",
                "BF16",
                1,
                result.per_user_tok_s,
                result.per_user_tok_s,
                result.usd_per_mtok_one_stream,
                None,
                note,
            )
        ]
    out = []
    for p in result.points():
        queued = f"{p['queued']} queued" if p["queued"] else ""
        out.append(
            CompareRow(
                build,
                model,
                engine,
                result.quant,
                p["users"],
                p["per_user_tok_s"],
                p["output_tok_s"],
                p["usd_per_mtok"],
                p["max_users"],
                queued,
            )
        )
    return out


def _dollars(usd: float | None, digits: int) -> str:
    return f"${usd or 0.0:,.{digits}f}"


def verdict(
    rows: list[CompareRow], model: str = "llama-3.3-70b", money: Callable[[float | None, int], str] = _dollars
) -> str:
    """One sentence checking the article's claim with the table's numbers; `money` writes US dollars as shown."""
    priced = [r for r in rows if r.model == model and r.usd_per_mtok is not None]
    if not priced:
        return f"No build serves {model} with known prices."
    best = min(priced, key=lambda r: r.usd_per_mtok or 0.0)
    h200 = [r for r in priced if "H200" in r.build]
    cs3 = [r for r in priced if "CS-3" in r.build]
    text = (
        f"Cheapest per token for {model}: {best.build} at {best.users} users, "
        f"{money(best.usd_per_mtok, 3)}/Mtok ({best.per_user_tok_s:.0f} tok/s per user)."
    )
    if h200 and cs3:
        h = min(h200, key=lambda r: r.usd_per_mtok or 0.0)
        c = cs3[0]
        streams = (c.usd_per_mtok or 0.0) / (h.usd_per_mtok or 1.0)
        text += (
            f" 8x H200 at load: {money(h.usd_per_mtok, 3)}/Mtok; CS-3 for one stream: {money(c.usd_per_mtok, 2)}/Mtok, "
            f"so it would need about {streams:,.0f} concurrent streams per system group to match "
            f"(Cerebras does not publish its concurrency)."
        )
    return text
