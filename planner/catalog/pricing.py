"""One price for one build: every path (composer, CLI, Plan, presets, Compare, build sheet) calls `priced`.

A build's own parts come first. Whatever they leave out is added: GPUs and CPU at catalog
prices (used or new, as chosen), and RAM, board/case/SSD and the PSU as dated estimates
(`price_kind: "estimate"`). A part of kind `system` covers everything, `rest` covers all
but the CPU, `platform` (older Plan results) covers board, RAM and PSU. A unified-memory
device (an Apple chip, a Strix Halo box) is priced as a whole system.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from planner.catalog.store import Catalog, Row
from planner.core.hardware import GENERIC_CPU, Build, Part
from planner.errors import InputError

PRICE_KINDS = ("used", "new", "launch")
DEFAULT_PRICE_KIND = "used"  # the composer's, the CLI's and Plan's default: what most people buy
PRICE_KIND_LABELS = {
    "used": "used", "new_street": "new", "new": "new", "launch": "launch", "estimate": "estimate",
    "user": "your price", "unknown": "no price",
}  # fmt: skip
ESTIMATE_AS_OF = "2026-05"
ESTIMATE_SOURCE = "planner estimate (docs/PLANNING.md)"

# Estimates, not catalog prices: US street prices for the parts around the CPU and GPUs.
RAM_USD_PER_GB = {4: 2.5, 5: 4.0}  # DDR4 / DDR5 (RDIMM on server platforms costs about the same per GB)
PSU_USD_PER_W = 0.13  # an 850 W ATX unit is about $110; server PSUs are priced the same per watt
PLATFORM_OVERHEAD_W = 150.0  # board, RAM, drives and fans, for PSU sizing
PSU_HEADROOM = 1.25

COVERS = {
    "system": {"gpu", "cpu", "ram", "board", "psu"},
    "rest": {"gpu", "ram", "board", "psu"},
    "platform": {"board", "ram", "psu"},
    "gpu": {"gpu"},
    "cpu": {"cpu"},
    "ram": {"ram"},
    "board": {"board"},
    "psu": {"psu"},
}


@dataclass(frozen=True)
class Platform:
    """The machine around the GPUs: which catalog CPU, and what the rest costs (an estimate)."""

    name: str
    cpu_id: str
    max_gpus: int
    base_usd: float  # board, case or chassis, SSD, cooling: an estimate
    contents: str


PLATFORMS = (
    Platform("desktop", "ryzen-7-5800x", 2, 250.0, "AM4 board, case, 1 TB SSD, cooler"),
    Platform("workstation", "threadripper-7960x", 4, 1100.0, "TRX50 board, 4-slot case or open frame, SSD, cooler"),
    Platform("server", "epyc-7763", 8, 2500.0, "SP3 board, 8-GPU chassis with risers, SSD, cooling"),
)
PLATFORM_BY_CPU_SEGMENT = {"desktop": 0, "hedt": 1, "workstation": 1, "server": 2}


def platform_for(gpus_per_node: int, cpu_segment: str | None) -> Platform:
    """The smallest platform that takes this many GPUs and this class of CPU."""
    by_gpus = next((i for i, p in enumerate(PLATFORMS) if gpus_per_node <= p.max_gpus), len(PLATFORMS) - 1)
    return PLATFORMS[max(by_gpus, PLATFORM_BY_CPU_SEGMENT.get(cpu_segment or "desktop", 0))]


def psu_size_w(load_w: float) -> float:
    return float(math.ceil(load_w * PSU_HEADROOM / 50) * 50)


def check_price_kind(kind: str) -> str:
    if kind not in PRICE_KINDS:
        raise InputError(f"price kind must be one of {', '.join(PRICE_KINDS)}; got {kind!r}")
    return kind


def priced(
    catalog: Catalog, build: Build, price_kind: str = DEFAULT_PRICE_KIND, gpu_prices_usd: dict[str, float] | None = None
) -> Build:
    """`build` with every part priced. `gpu_prices_usd`: the user's own price per GPU id."""
    check_price_kind(price_kind)
    if build.price_usd is not None:
        return build  # a stated price for the whole build
    parts = list(build.parts)
    covered = set().union(*(COVERS.get(p.kind, set()) for p in parts))
    per_node = sum(g.count for g in build.gpus)
    if "gpu" not in covered:
        for group in build.gpus:
            row = catalog.gpu_rows.get(group.accelerator.id)
            own = (gpu_prices_usd or {}).get(group.accelerator.id)
            parts.append(_gpu_part(group.accelerator.name, row, group.count * build.nodes, price_kind, own))
            if row is not None and row.get("memory_kind") == "unified":
                covered |= COVERS["system"]
    cpu_row = catalog.cpu_rows.get(build.cpu.id)
    platform = platform_for(per_node, cpu_row["segment"] if cpu_row else None)
    if "cpu" not in covered:
        parts.append(_cpu_part(catalog, cpu_row, platform, build.nodes, price_kind))
    if "ram" not in covered:
        ddr = build.cpu.ddr_gen if build.cpu.ddr_gen in RAM_USD_PER_GB else 5
        ram_usd = build.ram_gb * RAM_USD_PER_GB[ddr]
        parts.append(_estimate(f"{build.ram_gb:g} GB DDR{ddr}", ram_usd, build.nodes, "ram"))
    if "board" not in covered:
        board = f"{platform.name} platform: {platform.contents}"
        parts.append(_estimate(board, platform.base_usd, build.nodes, "board"))
    if "psu" not in covered:
        psu_w = build.psu_w or psu_size_w(_node_load_w(build))
        parts.append(_estimate(f"{psu_w:g} W power supply", psu_w * PSU_USD_PER_W, build.nodes, "psu"))
    return replace(build, parts=tuple(parts))


def _node_load_w(build: Build) -> float:
    gpus_w = sum(g.accelerator.power_w * g.count for g in build.gpus)
    return gpus_w + build.cpu.tdp_w + PLATFORM_OVERHEAD_W


def _estimate(name: str, price_usd: float, quantity: int, kind: str) -> Part:
    return Part(
        name=name, price_usd=round(price_usd, 2), quantity=quantity, kind=kind, price_kind="estimate",
        as_of=ESTIMATE_AS_OF, source_url=ESTIMATE_SOURCE,
    )  # fmt: skip


def catalog_price(row: Row, price_kind: str) -> tuple[float | None, str, str, str]:
    """(price, kind label, as of, source): used falls back to new, new to launch."""
    order = {"used": ("used", "new", "launch"), "new": ("new", "launch"), "launch": ("launch",)}[price_kind]
    for kind in order:
        if kind == "launch" and row.get("launch_price_usd"):
            return row["launch_price_usd"], "launch", str(row.get("release_year") or ""), row["source_url"]
        if kind in ("new", "used") and row.get(f"price_{kind}_usd"):
            label = "new_street" if kind == "new" else "used"
            return (
                row[f"price_{kind}_usd"], label, row.get(f"price_{kind}_as_of") or "",
                row.get("price_source_url") or row["source_url"],
            )  # fmt: skip
    return None, "unknown", "", ""


def _gpu_part(name: str, row: Row | None, quantity: int, price_kind: str, own_usd: float | None) -> Part:
    if row is None:  # a custom GPU: only the user's own price
        return Part(name=name, price_usd=own_usd, quantity=quantity, kind="gpu", price_kind="user")
    new = row.get("price_new_usd") or row.get("launch_price_usd")
    price, kind, as_of, source = catalog_price(row, price_kind)
    if own_usd is not None:
        price, kind, as_of, source = own_usd, "user", "", "user"
    whole = row.get("memory_kind") == "unified"
    return Part(
        name=row["name"] + (" (whole system)" if whole else ""), price_usd=price, quantity=quantity,
        kind="system" if whole else "gpu", price_kind=kind, as_of=as_of, source_url=source,
        new_price_usd=new, used_price_usd=row.get("price_used_usd"),
    )  # fmt: skip


def _cpu_part(catalog: Catalog, row: Row | None, platform: Platform, nodes: int, price_kind: str) -> Part:
    if row is None:  # no CPU named: price the platform's usual CPU, as an estimate
        stand_in = catalog.cpu_rows[platform.cpu_id]
        price, _, _, _ = catalog_price(stand_in, "new")
        name = f"{GENERIC_CPU.name} (priced as a {stand_in['name']})"
        return _estimate(name, price or 0.0, nodes, "cpu")
    price, kind, as_of, source = catalog_price(row, price_kind)
    new, _, _, _ = catalog_price(row, "new")
    return Part(
        name=row["name"], price_usd=price, quantity=nodes, kind="cpu", price_kind=kind, as_of=as_of,
        source_url=source, new_price_usd=new, used_price_usd=row.get("price_used_usd"),
    )  # fmt: skip


KIND_NAMES = {
    "gpu": "GPUs", "rest": "GPUs, RAM, board/case, PSU", "system": "whole system", "cpu": "CPU", "ram": "RAM",
    "board": "board/case", "psu": "PSU",
}  # fmt: skip
KIND_ORDER = tuple(KIND_NAMES)


def estimated_usd(build: Build) -> float:
    return sum((p.price_usd or 0.0) * p.quantity for p in build.parts if p.price_kind == "estimate")


def included_text(build: Build) -> str:
    """What the price covers, in words: 'GPUs (used), CPU (new); RAM, board/case, PSU estimated'."""
    if build.price_usd is not None and not build.parts:
        return "the build's stated price"
    known: dict[str, set[str]] = {}
    estimated: list[str] = []
    ordered = sorted(build.parts, key=lambda p: KIND_ORDER.index(p.kind) if p.kind in KIND_ORDER else len(KIND_ORDER))
    for part in ordered:
        name = KIND_NAMES.get(part.kind, "other parts")
        if part.price_kind == "estimate":
            if name not in estimated:
                estimated.append(name)
        else:
            known.setdefault(name, set()).add(PRICE_KIND_LABELS.get(part.price_kind, part.price_kind))
    text = ", ".join(f"{name} ({'/'.join(sorted(kinds))})" for name, kinds in known.items())
    if estimated:
        text += ("; " if text else "") + ", ".join(estimated) + " estimated"
    return text
