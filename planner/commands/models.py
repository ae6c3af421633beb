"""`planner models`: the model files already on this PC, and Hugging Face search and import."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from planner.catalog.model_import import model_from_config_json, model_from_gguf
from planner.catalog.user_catalog import UserCatalog
from planner.catalog.userdb import UserDatabase, default_user_db_path
from planner.commands.common import open_catalog, print_json
from planner.errors import CatalogError
from planner.hardware.detect import detect
from planner.hardware.local_fit import LocalFit, fit_on
from planner.hardware.local_models import LocalModel, scan
from planner.hardware.match import this_pc
from planner.resources import migrations_dir


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
    search = sub.add_parser("search", help="search Hugging Face for models (honours HF_ENDPOINT, HF_TOKEN)")
    search.add_argument("text")
    search.add_argument("--limit", type=int, default=20)
    search.add_argument("--json", action="store_true", help="print JSON")
    search.set_defaults(handler=_search)
    imp = sub.add_parser("import", help="read a model from hf:ORG/REPO, a GGUF file or a config.json (metadata only)")
    imp.add_argument("source", help="hf:ORG/REPO, FILE.gguf or config.json")
    imp.add_argument("--json", action="store_true", help="print JSON")
    imp.add_argument("--save", action="store_true", help="add it to your custom models")
    imp.set_defaults(handler=_import)


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


def _search(args: argparse.Namespace) -> int:
    found = _hub().search(args.text, args.limit)
    if args.json:
        print_json(found)
        return 0
    for row in found:
        tag = "  [gguf]" if row["gguf"] else ""
        sys.stdout.write(f"{row['repo']:60s} {row['downloads'] or 0:>12,} downloads{tag}\n")
    sys.stdout.write(f"{len(found)} repos\n")
    return 0


def _import(args: argparse.Namespace) -> int:
    source: str = args.source
    files: list[dict[str, Any]] = []
    if source.startswith("hf:") or (source.count("/") == 1 and not Path(source).exists()):
        result = _hub().lookup(source)
        row, files = result.model, [f.to_dict() for f in result.gguf_files]
        data: dict[str, Any] = result.to_dict()
    elif source.lower().endswith(".gguf"):
        row = model_from_gguf(source)
        data = {"model": row, "gguf_files": []}
    else:
        row = model_from_config_json(source)
        data = {"model": row, "gguf_files": []}
    if args.save and row is not None:
        database = UserDatabase(default_user_db_path(), migrations_dir())
        data["saved_as"] = UserCatalog(database.path).add_model(row)["id"]
        database.close()
    if args.json:
        print_json(data)
        return 0
    if row is not None:
        active = f" ({row['params_active_b']:.2f}B active)" if row["params_active_b"] != row["params_total_b"] else ""
        sys.stdout.write(
            f"{row['name']}: {row['params_total_b']:.2f}B parameters{active}, {row['n_layers']} layers, "
            f"{row['n_heads']}/{row['n_kv_heads']} heads, context {row['max_context']:,}\n"
        )
    for f in files:
        sys.stdout.write(f"  {f['filename']:70s} {f['quant']:12s} {f['size_bytes'] / 1024**3:8.2f} GiB\n")
    if "saved_as" in data:
        sys.stdout.write(f"saved as custom model {data['saved_as']}\n")
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


def _hub() -> ModuleType:
    """The Hugging Face client, imported on first use: huggingface_hub adds ~0.6 s to every start."""
    from planner.catalog import hf_hub

    return hf_hub
