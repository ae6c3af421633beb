"""Cost: parts, power, electricity and what a million generated tokens cost."""

from __future__ import annotations

from dataclasses import dataclass

from planner.core.hardware import Build
from planner.errors import InputError

PLATFORM_LOAD_W = 50.0  # board, RAM, drives and fans under load
PLATFORM_IDLE_W = 30.0
GPU_IDLE_SHARE = 0.08  # idle draw as a share of board power when no figure is known
CPU_LOAD_SHARE = 0.5  # decode keeps the CPU lightly loaded unless layers are offloaded


@dataclass(frozen=True)
class CostSettings:
    electricity_usd_per_kwh: float = 0.17
    hours_per_day: float = 8.0
    amortization_years: float = 3.0

    def __post_init__(self) -> None:
        if self.electricity_usd_per_kwh < 0:
            raise InputError("electricity price cannot be negative")
        if not 0 < self.hours_per_day <= 24:
            raise InputError("hours of use per day must be more than 0 and at most 24")
        if self.amortization_years <= 0:
            raise InputError("amortization period must be more than 0 years")


@dataclass(frozen=True)
class Cost:
    hardware_usd: float | None
    hardware_new_usd: float | None
    hardware_used_usd: float | None
    power_load_w: float
    power_idle_w: float
    usd_per_day_power: float
    usd_per_mtok: float | None  # hardware written off plus electricity; None without a full price
    tok_s_per_1000_usd: float | None
    complete_prices: bool
    electricity_usd_per_mtok: float | None = None  # electricity alone, whenever it generates


def power_draw(build: Build, cpu_busy: bool) -> tuple[float, float]:
    """(load, idle) watts of the whole machine."""
    if build.power_w_override:
        load = build.power_w_override
        idle = sum(_idle(a.idle_power_w, a.power_w) for a in build.accelerators) + PLATFORM_IDLE_W
        return load, min(idle, load)
    gpus = build.accelerators
    if build.is_unified:
        load = sum(a.power_w for a in gpus) or 100.0
        idle = sum(_idle(a.idle_power_w, a.power_w) for a in gpus)
        return load, idle
    cpu_share = 1.0 if cpu_busy else CPU_LOAD_SHARE
    parts_w = sum(p.power_w * p.quantity for p in build.parts)
    load = sum(a.power_w for a in gpus) + build.cpu.tdp_w * cpu_share + PLATFORM_LOAD_W + parts_w
    idle = sum(_idle(a.idle_power_w, a.power_w) for a in gpus) + PLATFORM_IDLE_W
    return load, idle


def _idle(idle_w: float, board_w: float) -> float:
    return idle_w or board_w * GPU_IDLE_SHARE


def hardware_totals(build: Build) -> tuple[float | None, float | None, float | None, bool]:
    """(chosen, new, used) totals and whether every part had a price."""
    if build.price_usd is not None:
        return build.price_usd, build.price_usd, build.price_usd, True
    if not build.parts:
        return None, None, None, False
    priced = [p for p in build.parts if p.price_usd is not None]
    if not priced:
        return None, None, None, False
    chosen = new = used = 0.0
    complete = len(priced) == len(build.parts)
    for part in priced:
        price = part.price_usd or 0.0
        chosen += price * part.quantity
        new += (part.new_price_usd or price) * part.quantity
        used += (part.used_price_usd or price) * part.quantity
    return chosen, new, used, complete


def cost_of(build: Build, decode_tok_s: float | None, settings: CostSettings, cpu_busy: bool) -> Cost:
    hardware, new, used, complete = hardware_totals(build)
    load_w, idle_w = power_draw(build, cpu_busy)
    idle_hours = 24 - settings.hours_per_day
    kwh_per_day = (load_w * settings.hours_per_day + idle_w * idle_hours) / 1000
    power_usd_day = kwh_per_day * settings.electricity_usd_per_kwh
    per_mtok = per_1000 = power_per_mtok = None
    if decode_tok_s and decode_tok_s > 0:
        tokens_per_day = decode_tok_s * 3600 * settings.hours_per_day
        power_per_mtok = power_usd_day / tokens_per_day * 1e6
        # Unpriced hardware is not free: without every part's price there is no full figure.
        if hardware is not None and complete:
            hardware_day = hardware / (settings.amortization_years * 365)
            per_mtok = (hardware_day + power_usd_day) / tokens_per_day * 1e6
        if hardware:
            per_1000 = decode_tok_s / (hardware / 1000)
    return Cost(
        hardware_usd=hardware,
        hardware_new_usd=new,
        hardware_used_usd=used,
        power_load_w=load_w,
        power_idle_w=idle_w,
        usd_per_day_power=power_usd_day,
        usd_per_mtok=per_mtok,
        tok_s_per_1000_usd=per_1000,
        complete_prices=complete,
        electricity_usd_per_mtok=power_per_mtok,
    )
