"""Builds that cannot exist: each field may be valid and the combination still impossible.

Field-by-field checks (types, ranges) belong to the build validator; this module only knows
which parts cannot go together. Every refusal says what to change.
"""

from __future__ import annotations

from typing import Any

from planner.core.hardware import Build
from planner.errors import InputError


def check_combination(build: Build, spec: dict[str, Any]) -> None:
    """Raise InputError when the parts of `build` cannot be combined in one machine."""
    if spec.get("apple_chip"):
        _check_apple(spec)
    unified = [g.accelerator for g in build.gpus if g.accelerator.unified]
    discrete = [g.accelerator for g in build.gpus if not g.accelerator.unified]
    apple = [a for a in unified if a.vendor == "Apple"]
    if apple and (discrete or len(unified) > 1):
        others = ", ".join(sorted({a.name for a in [*discrete, *unified] if a not in apple[:1]}))
        raise InputError(
            f"{apple[0].name} cannot be combined with {others}: Apple silicon Macs do not run other GPUs "
            "for compute. Remove the GPU or the Apple chip."
        )
    if build.split == "tensor" and len({g.accelerator.id for g in build.gpus}) > 1:
        raise InputError(
            "tensor parallel needs identical GPUs; this build mixes "
            + ", ".join(sorted({g.accelerator.name for g in build.gpus}))
            + ". Use the layer split, or one GPU model."
        )


def _check_apple(spec: dict[str, Any]) -> None:
    if spec.get("gpus"):
        names = ", ".join(str(g.get("gpu") or g.get("custom", {}).get("name", "a custom GPU")) for g in spec["gpus"])
        raise InputError(
            f"an Apple chip cannot be combined with {names}: Apple silicon Macs do not run other GPUs for "
            "compute. Remove the GPU or the Apple chip."
        )
    if spec.get("cpu"):
        raise InputError(f"an Apple chip has its own CPU and memory; remove the CPU {spec['cpu']!r} from this build")
