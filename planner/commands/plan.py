"""`planner plan`: the cheapest builds that run a model at a target speed, and the hardware-floor table."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from planner.calibration.shipped import load_calibration
from planner.catalog.userdb import UserDatabase, default_user_db_path
from planner.commands.common import open_catalog, print_json
from planner.core.workload import DEFAULT_CONTEXT
from planner.errors import InputError, UserDataError
from planner.planning.hardware_floor import FLOOR_CONTEXT, FLOOR_MIN_TOK_S, FLOOR_QUANT, FloorRow, hardware_floor
from planner.planning.search import DEFAULT_MIN_TOK_S, RANKINGS, Plan, Planner, PlanRequest, PlanResult
from planner.resources import calibration_path, migrations_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "plan",
        help="the cheapest builds that run a model at a target speed",
        description="Search every catalog GPU (1/2/4/8), Apple configuration, CPU-only box, preset and saved "
        "build for the cheapest ones that run a model. Board, RAM and PSU prices are estimates (docs/PLANNING.md).",
    )
    p.add_argument("--model", metavar="NAME")
    quant_help = "e.g. Q4_K_M, Q8_0, or best: per build, the best-quality quant (lowest published KL divergence)"
    p.add_argument("--quant", default="Q4_K_M", metavar="QUANT", help=quant_help + " that qualifies (default Q4_K_M)")
    p.add_argument(
        "--context",
        type=int,
        default=DEFAULT_CONTEXT,
        metavar="TOKENS",
        help=f"context window (default {DEFAULT_CONTEXT})",
    )
    p.add_argument("--kv-cache", choices=("f16", "q8_0", "q4_0"), default="f16", help="KV-cache type (default f16)")
    p.add_argument(
        "--min-tok-s",
        type=float,
        default=DEFAULT_MIN_TOK_S,
        metavar="X",
        help=f"minimum generation tokens/s (default {DEFAULT_MIN_TOK_S:g}, a reading speed; 0 for any)",
    )
    p.add_argument("--min-prompt-tok-s", type=float, default=0.0, metavar="X", help="minimum prompt tokens/s")
    p.add_argument("--budget", type=float, metavar="USD", help="maximum hardware price")
    prices = p.add_mutually_exclusive_group()
    prices.add_argument(
        "--used",
        dest="used",
        action="store_true",
        default=True,
        help="used prices where the catalog has them (the default, as in the app and `planner estimate`)",
    )
    prices.add_argument("--new", dest="used", action="store_false", help="new prices only")
    p.add_argument("--vendor", action="append", default=[], metavar="NAME", help="NVIDIA, AMD, Intel, Apple (repeat)")
    p.add_argument("--gpu-only", action="store_true", help="the model must fit fully on the GPU")
    p.add_argument("--max-power-w", type=float, metavar="W", help="maximum power under load")
    p.add_argument("--rank", choices=RANKINGS, default="price", help="ordering (default price)")
    p.add_argument("--limit", type=int, default=10, metavar="K", help="show the first K results (default 10)")
    p.add_argument("--floor", action="store_true", help="the article's hardware-floor table, recomputed")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_run)


def saved_build_specs() -> list[dict[str, Any]]:
    """The user's saved builds, if a user database exists (planning never creates one).

    A database that cannot be read is a warning, not the end of the plan."""
    path = default_user_db_path()
    try:
        if not path.exists():
            return []
        database = UserDatabase(path, migrations_dir())
    except (OSError, UserDataError) as exc:
        print(f"planner: warning: saved builds left out: {exc}", file=sys.stderr)
        return []
    try:
        skipped = database.damaged_builds()
        if skipped:
            names = ", ".join(repr(row.name[:40]) for row in skipped[:5])
            print(f"planner: warning: {len(skipped)} saved build(s) could not be loaded: {names}", file=sys.stderr)
        return database.builds()
    finally:
        database.close()


def _run(args: argparse.Namespace) -> int:
    planner = Planner(open_catalog(), load_calibration(calibration_path()), saved_builds=saved_build_specs())
    if args.floor:
        rows = hardware_floor(planner)
        if args.json:
            print_json([row.to_dict() for row in rows])
        else:
            _print_floor(rows)
        return 0
    if not args.model:
        raise InputError("--model is required (or use --floor for the hardware-floor table)")
    request = PlanRequest(
        model=args.model, quant=args.quant, context=args.context, kv_cache=args.kv_cache,
        min_tok_s=args.min_tok_s, min_prompt_tok_s=args.min_prompt_tok_s, budget_usd=args.budget,
        used=args.used, vendors=tuple(args.vendor), gpu_only=args.gpu_only, max_power_w=args.max_power_w,
        rank=args.rank, limit=args.limit,
    )  # fmt: skip
    plan = planner.plan(request)
    if args.json:
        print_json(plan.to_dict())
    else:
        _print_plan(plan)
    return 0


def _money(value: float | None) -> str:
    return "-" if value is None else f"${value:,.0f}"


def _speed(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def _print_result(index: str, result: PlanResult) -> None:
    low, high = result.estimate.decode_range or (0.0, 0.0)
    print(f"{index} {result.name}  [{result.kind}, {result.estimate.quant.name}]")
    print(
        f"     {_money(result.price_usd)}  {_speed(result.decode_tok_s)} tok/s ({low:,.1f}-{high:,.1f})  "
        f"fit {result.fit}  {result.power_w:,.0f} W"
    )
    for reason in result.why:
        print(f"       - {reason}")


def _print_plan(plan: Plan) -> None:
    print(plan.message)
    for i, result in enumerate(plan.results, 1):
        _print_result(f"{i:>3}.", result)
    if plan.impossible and plan.suggestions:
        print("Nearest options:")
        for suggestion in plan.suggestions:
            print(f"  {suggestion.label}:")
            _print_result("    ", suggestion.result)
    if plan.unpriced:
        print(f"({len(plan.unpriced)} catalog items have no price and were not ranked.)")
    if plan.invalid:
        print(f"(saved builds that could not be read: {', '.join(plan.invalid)})")


def _print_floor(rows: list[FloorRow]) -> None:
    print(f"Local hardware floor at {FLOOR_QUANT}, {FLOOR_CONTEXT:,} context (used prices where known)")
    for row in rows:
        print(f"\n{row.claim.model_class}")
        print(f"  article:   {row.claim.floor_text} ({row.claim.notes_text})")
        if row.claim.remark:
            print(f"  note:      {row.claim.remark}")
        if row.model_name is None:
            continue
        print(f"  model:     {row.model_name}")
        for label, result in (("runs at all", row.cheapest), (f">= {FLOOR_MIN_TOK_S:g} tok/s", row.cheapest_readable)):
            text = "nothing in the catalog" if result is None else (
                f"{result.name}: {_money(result.price_usd)}, {_speed(result.decode_tok_s)} tok/s, fit {result.fit}"
            )  # fmt: skip
            print(f"  cheapest {label}: {text}")
        for check in row.checks:
            print(
                f"  article's {check.label}: fit {check.fit}, {_speed(check.decode_tok_s)} tok/s, "
                f"{_money(check.price_usd)}"
            )
        print(f"  verdict:   {row.verdict}")
