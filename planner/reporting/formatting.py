"""How the sheet writes numbers: money, speeds, ranges, sizes."""

from __future__ import annotations

DASH = "-"
FIT_LABELS = {"gpu": "fits on GPU", "partial": "partial offload", "cpu": "CPU only", "none": "does not fit"}
KIND_LABELS = {"gpu": "GPU", "cpu": "CPU", "system": "system", "rest": "rest of build", "other": "part"}


def usd(value: float | None) -> str:
    if value is None:
        return DASH
    if abs(value) < 10:
        return f"${value:,.2f}"
    return f"${value:,.0f}"


def speed(value: float | None) -> str:
    if value is None:
        return DASH
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def speed_with_range(value: float | None, band: tuple[float, float] | None) -> str:
    if value is None:
        return DASH
    if band is None:
        return speed(value)
    return f"{speed(value)}\n{speed(band[0])} - {speed(band[1])}"


def gib(value: float) -> str:
    return f"{value:,.1f}"


def watts(value: float) -> str:
    return f"{value:,.0f} W"
