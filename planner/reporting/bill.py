"""The bill of materials: parts with prices and their dates, totals, power budget, PSU check."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from planner.catalog.store import Catalog
from planner.core.cost import CPU_LOAD_SHARE, PLATFORM_LOAD_W, hardware_totals, power_draw
from planner.core.hardware import Build, Part
from planner.reporting.sheet_data import PartRow, PowerRow, PsuCheck, Totals
from planner.reporting.sources import SourceIndex

# A PSU runs best and lasts longest at or under 80% of its rating; GPUs also spike above board power.
PSU_COMFORT_SHARE = 0.8
PSU_STEP_W = 50
PRICE_KIND_LABELS = {"new_street": "new", "new": "new", "used": "used", "launch": "launch"}


def part_rows(build: Build, sources: SourceIndex) -> tuple[PartRow, ...]:
    if not build.parts and build.price_usd is not None:
        return (PartRow("Whole build (price from the build description)", "system", 1, build.price_usd, "-", "", None),)
    return tuple(
        PartRow(
            name=p.name,
            kind=p.kind,
            quantity=p.quantity,
            unit_price_usd=p.price_usd,
            price_kind=PRICE_KIND_LABELS.get(p.price_kind, "unknown") if p.price_usd is not None else "unknown",
            as_of=p.as_of,
            source=sources.cite(p.source_url) if p.price_usd is not None else None,
        )
        for p in build.parts
    )


def totals(build: Build) -> Totals:
    chosen, new, used, complete = hardware_totals(build)
    return Totals(chosen, new, used, complete)


def power_rows(build: Build) -> tuple[PowerRow, ...]:
    """Peak draw by component (CPU fully loaded); the rows add up to `power_draw(build, True)`."""
    load_w, _ = power_draw(build, cpu_busy=True)
    if build.power_w_override:
        return (PowerRow("Whole system", load_w, "the build's own power figure"),)
    if build.is_unified:
        names = ", ".join(a.name for a in build.accelerators)
        return (PowerRow(names, load_w, "whole chip, maximum"),)
    rows = [
        PowerRow(f"{g.count * build.nodes} x {g.accelerator.name}", g.accelerator.power_w * g.count * build.nodes,
                 "board power")
        for g in build.gpus
    ]  # fmt: skip
    cpu_note = f"TDP; decode alone uses about {CPU_LOAD_SHARE:.0%}" if build.cpu.tdp_w else "TDP not known"
    rows.append(PowerRow(f"CPU: {build.cpu.name}", build.cpu.tdp_w, cpu_note))
    rows.append(PowerRow("Board, RAM, drives and fans", PLATFORM_LOAD_W, "allowance"))
    rows += [PowerRow(f"{p.quantity} x {p.name}", p.power_w * p.quantity, "") for p in build.parts if p.power_w]
    return tuple(rows)


def psu_check(build: Build) -> PsuCheck:
    peak_w, _ = power_draw(build, cpu_busy=True)
    advised_w = math.ceil(peak_w / PSU_COMFORT_SHARE / PSU_STEP_W) * PSU_STEP_W
    if build.is_unified:
        return PsuCheck(peak_w, None, "built in", "The power supply is built in: nothing to size.")
    if not build.psu_w:
        if build.power_w_override:
            text = f"Server supplies come with the chassis; plan the circuit for {peak_w:,.0f} W."
            return PsuCheck(peak_w, None, "built in", text)
        return PsuCheck(peak_w, None, "not listed", f"No PSU listed: choose one of at least {advised_w:,} W.")
    share = peak_w / build.psu_w
    if share <= PSU_COMFORT_SHARE:
        verdict, advice = "ok", "enough, with headroom for GPU power spikes"
    elif share <= 1.0:
        verdict, advice = "tight", f"works, but little headroom: {advised_w:,} W is safer"
    else:
        verdict, advice = "too small", f"too small: choose at least {advised_w:,} W"
    text = f"{build.psu_w:,.0f} W PSU at {share:.0%} of its rating at peak ({peak_w:,.0f} W): {advice}."
    return PsuCheck(peak_w, build.psu_w, verdict, text)


def priced_from_catalog(catalog: Catalog, build: Build) -> Build:
    """A detected machine has no parts list: price its GPUs and CPU at today's catalog prices."""
    if build.parts:
        return build
    parts = [
        _catalog_part(catalog.gpu_rows[g.accelerator.id], g.count * build.nodes, "gpu")
        for g in build.gpus
        if g.accelerator.id in catalog.gpu_rows
    ]
    if build.cpu.id in catalog.cpu_rows:
        parts.append(_catalog_part(catalog.cpu_rows[build.cpu.id], 1, "cpu"))
    return replace(build, parts=tuple(parts))


def _catalog_part(row: dict[str, Any], count: int, kind: str) -> Part:
    for price_kind in ("used", "new"):
        if row.get(f"price_{price_kind}_usd"):
            return Part(
                name=row["name"], price_usd=row[f"price_{price_kind}_usd"], quantity=count, kind=kind,
                price_kind=price_kind, as_of=row.get(f"price_{price_kind}_as_of") or "",
                source_url=row.get("price_source_url") or row["source_url"],
            )  # fmt: skip
    if row.get("launch_price_usd"):
        return Part(
            name=row["name"], price_usd=row["launch_price_usd"], quantity=count, kind=kind, price_kind="launch",
            as_of=str(row.get("release_year") or ""), source_url=row["source_url"],
        )  # fmt: skip
    return Part(name=row["name"], price_usd=None, quantity=count, kind=kind, price_kind="unknown")
