"""`planner catalog`: list and show catalog entries, and build the catalog file."""

from __future__ import annotations

import argparse
from pathlib import Path

from planner.catalog.build import build_catalog
from planner.catalog.listing import KINDS, find_entry, list_entries, sources_of
from planner.commands.common import open_catalog, print_json
from planner.resources import catalog_path, catalog_source_dir

COLUMNS = {
    "gpus": [("name", 48), ("vram_gb", 8), ("bandwidth_gbs", 10), ("fp16_tflops", 9)],
    "chips": [("name", 36), ("memory_options_gb", 18), ("bandwidth_gbs", 10)],
    "models": [("name", 34), ("params_total_b", 8), ("params_active_b", 8), ("n_layers", 7)],
    "cpus": [("name", 40), ("cores", 6), ("memory_channels", 5), ("max_memory_mts", 7)],
    "presets": [("name", 44), ("price_usd_low", 10), ("price_usd_high", 10)],
    "quants": [("name", 10), ("body_bpw", 9), ("kld", 8), ("ppl_increase_pct", 8), ("description", 50)],
    "dataflow": [("name", 30), ("unit", 7), ("on_chip_sram_gb", 9), ("power_w", 8), ("price_usd", 10)],
}
HEADERS = {
    "vram_gb": "VRAM GB",
    "on_chip_sram_gb": "SRAM GB",
    "bandwidth_gbs": "GB/s",
    "fp16_tflops": "FP16 TF",
    "memory_options_gb": "memory GB",
    "params_total_b": "total B",
    "params_active_b": "active B",
    "n_layers": "layers",
    "memory_channels": "ch",
    "max_memory_mts": "MT/s",
    "price_usd_low": "from $",
    "price_usd_high": "to $",
    "body_bpw": "bpw",
    "kld": "KLD",
    "ppl_increase_pct": "+PPL %",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("catalog", help="list, show and build the hardware/model catalog")
    sub = parser.add_subparsers(dest="catalog_command", metavar="KIND", required=True)
    for kind in KINDS:
        listing = sub.add_parser(kind, help=f"list {kind}")
        listing.add_argument("--search", metavar="TEXT", help="only entries containing TEXT")
        listing.add_argument("--json", action="store_true", help="print JSON")
        listing.set_defaults(handler=_list, kind=kind)
    show = sub.add_parser("show", help="show one entry with its sources")
    show.add_argument("name")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)
    build = sub.add_parser("build", help="compile db/ into the catalog file")
    build.add_argument("--db", type=Path, default=None, help="catalog source folder (db/)")
    build.add_argument("--out", type=Path, default=None, help="output file")
    build.set_defaults(handler=_build)


def _list(args: argparse.Namespace) -> int:
    rows = list_entries(open_catalog(), args.kind, args.search)
    if args.json:
        print_json(rows)
        return 0
    columns = COLUMNS[args.kind]
    print("  ".join(HEADERS.get(c, c).ljust(w) for c, w in columns))
    for row in rows:
        print("  ".join(_cell(row.get(c)).ljust(w) for c, w in columns))
    print(f"{len(rows)} {args.kind}")
    return 0


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1e5 else f"{value:g}"  # 2,000,000 not 2e+06
    return str(value)


def _show(args: argparse.Namespace) -> int:
    catalog = open_catalog()
    kind, row = find_entry(catalog, args.name)
    sources = sources_of(catalog, kind, row)
    if args.json:
        print_json({"kind": kind, **row, "sources": [{"what": w, "url": u} for w, u in sources]})
        return 0
    print(f"{row['name']}  ({kind})")
    for key, value in row.items():
        if key not in ("name", "source_url", "build_json") and value not in (None, ""):
            print(f"  {key:22} {_cell(value)}")
    print("Sources:")
    for number, (what, url) in enumerate(sources, start=1):
        print(f"  [{number}] {what}: {url}")
    return 0


def _build(args: argparse.Namespace) -> int:
    out = args.out or catalog_path()
    build_catalog(args.db or catalog_source_dir(), out)
    print(f"catalog written to {out}")
    return 0
