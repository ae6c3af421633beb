"""Catalog listings and single-entry lookups, as plain rows for the CLI and the UI."""

from __future__ import annotations

from typing import Any

from planner.catalog.names import normalize
from planner.catalog.store import Catalog, Row
from planner.errors import PlannerError, UnknownNameError

KINDS = ("gpus", "models", "cpus", "presets", "quants", "chips", "dataflow")


def list_entries(catalog: Catalog, kind: str, search: str | None = None) -> list[Row]:
    """Rows of one kind; `gpus` includes Apple chips and APUs (everything `--gpu` accepts)."""
    rows: list[Row]
    if kind == "gpus":
        rows = [{"kind": "gpu", **r} for r in catalog.gpu_rows.values()]
        rows += [{"kind": "apple_chip", "vendor": "Apple", **r} for r in catalog.apple_rows.values()]
    elif kind == "chips":
        rows = [{"kind": "apple_chip", "vendor": "Apple", **r} for r in catalog.apple_rows.values()]
    elif kind == "models":
        rows = [_model_entry(r) for r in catalog.model_rows.values()]
    elif kind == "cpus":
        rows = list(catalog.cpu_rows.values())
    elif kind == "presets":
        rows = list(catalog.preset_rows.values())
    elif kind == "quants":
        rows = [_quant_entry(r) for r in catalog.quant_rows.values()]
    elif kind == "dataflow":
        rows = [{"kind": "dataflow", **r} for r in catalog.table("dataflow_systems", "vendor, name")]
    else:
        raise PlannerError(f"unknown catalog kind {kind!r}; choose one of {', '.join(KINDS)}")
    if search:
        needle = normalize(search)
        rows = [r for r in rows if needle in normalize(_haystack(r))]
    return rows


def _model_entry(row: Row) -> Row:
    """A model row with the contract's names: `hf_repo` and `released` (YYYY-MM, None if unknown)."""
    released = str(row.get("release_date") or "")[:7]
    return {**row, "hf_repo": row.get("repo") or None, "released": released or None}


def _quant_entry(row: Row) -> Row:
    """A quant row with the contract's names; kld/ppl_increase_pct stay None where no public table has them."""
    return {**row, "bits_per_weight": row["body_bpw"], "source": row.get("quality_source_url") or None}


def _haystack(row: Row) -> str:
    keys = ("id", "name", "aliases", "vendor", "family", "repo", "description")
    return " ".join(str(row.get(k) or "") for k in keys)


def find_entry(catalog: Catalog, name: str) -> tuple[str, Row]:
    """The one catalog entry called `name`, of any kind, as (kind, row)."""
    lookups: list[tuple[str, Any]] = [
        ("gpu", lambda n: catalog.device_row(catalog.device_index.resolve(n))),
        ("model", lambda n: catalog.model_rows[catalog.model_index.resolve(n)]),
        ("cpu", lambda n: catalog.cpu_rows[catalog.cpu_index.resolve(n)]),
        ("preset", catalog.preset),
        ("dataflow", lambda n: _dataflow_row(catalog, n)),
    ]
    if name.upper() in catalog.quant_rows:
        return "quant", catalog.quant_rows[name.upper()]
    suggestions: list[str] = []
    for kind, lookup in lookups:
        try:
            return kind, lookup(name)
        except UnknownNameError as exc:
            suggestions += exc.suggestions
    raise UnknownNameError("entry", name, suggestions[:6])


def sources_of(catalog: Catalog, kind: str, row: Row) -> list[tuple[str, str]]:
    """(what, url) pairs citing the row, its prices and its measurements."""
    cited = [("specs", row["source_url"])]
    if row.get("params_source_url"):
        cited.append(("parameter count", row["params_source_url"]))
    if row.get("price_source_url"):
        cited.append(("street/used price", row["price_source_url"]))
    table = {"gpu": "gpus", "cpu": "cpus"}.get(kind)
    if table:
        cited += [(f"{p['price_kind']} price", p["source_url"]) for p in catalog.prices(table, row["id"])]
    if kind == "dataflow":
        if row.get("price_source_url"):
            cited.append(("price", row["price_source_url"]))
        measured = catalog.rows(
            "SELECT DISTINCT source_url FROM serving_measurements WHERE device_id = ? ORDER BY source_url", (row["id"],)
        )
        cited += [("vendor-published speed", m["source_url"]) for m in measured]
    if kind == "gpu":
        measured = catalog.rows(
            "SELECT DISTINCT source_url FROM measurements WHERE device_id = ? ORDER BY source_url",
            (row["id"],),
        )
        cited += [("measurement", m["source_url"]) for m in measured]
    unique: list[tuple[str, str]] = []
    for item in cited:
        if item[1] and item not in unique:
            unique.append(item)
    return unique


def _dataflow_row(catalog: Catalog, name: str) -> Row:
    from planner.catalog.serving_store import dataflow_index, dataflow_rows

    return dataflow_rows(catalog)[dataflow_index(catalog).resolve(name)]
