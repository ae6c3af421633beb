"""`planner models`: the model files already on this PC (and, later, Hugging Face lookups)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from planner.commands.common import open_catalog, print_json
from planner.errors import CatalogError
from planner.hardware.detect import detect
from planner.hardware.local_fit import LocalFit, fit_on
from planner.hardware.local_models import LocalModel, scan
from planner.hardware.match import this_pc


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("models", help="models on this PC and on Hugging Face")
    sub = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    local = sub.add_parser(
        "local", help="GGUF files in Ollama, LM Studio, the HF cache, llama.cpp's cache and given folders"
    )
    local.add_argument("--path", action="append", type=Path, default=[], metavar="DIR", help="also scan DIR")
    local.add_argument("--json", action="store_true", help="print JSON")
    local.add_argument("--no-fit", action="store_true", help="list the files without estimating them")
    local.set_defaults(handler=_local)


def _fits(models: list[LocalModel], with_fit: bool) -> list[LocalFit | None]:
    if not with_fit:
        return [None] * len(models)
    catalog = open_catalog()
    try:
        build = this_pc(detect(), catalog).build
    except CatalogError:
        return [None] * len(models)
    return [fit_on(m, build, catalog) for m in models]


def _local(args: argparse.Namespace) -> int:
    models = scan(args.path)
    fits = _fits(models, not args.no_fit)
    if args.json:
        rows: list[dict[str, Any]] = []
        for model, fit in zip(models, fits, strict=True):
            rows.append({**model.to_dict(), "fit": fit.to_dict() if fit else None})
        print_json(rows)
        return 0
    sys.stdout.write(render(models, fits) + "\n")
    return 0


def render(models: list[LocalModel], fits: list[LocalFit | None]) -> str:
    if not models:
        return "No GGUF model files found (Ollama, LM Studio, Hugging Face cache, llama.cpp cache)."
    lines = []
    for model, fit in zip(models, fits, strict=True):
        label = model.tag or model.name
        if model.error:
            lines.append(f"  ! {label}  [{model.source}]  {model.path}\n      {model.error}")
            continue
        speed = f", {fit.gen_tok_s:.0f} tok/s" if fit and fit.gen_tok_s else ""
        verdict = f"  -> {fit.fit} at {fit.context:,} ctx{speed}" if fit else ""
        lines.append(
            f"  {label}  [{model.source}]  {model.quant or '?'}  {model.size_gib:.2f} GiB"
            f"  ctx {model.context:,}{verdict}\n      {model.path}"
        )
    damaged = sum(1 for m in models if m.error)
    lines.append(f"{len(models)} files" + (f", {damaged} damaged or partial" if damaged else ""))
    return "\n".join(lines)
