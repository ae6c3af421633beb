"""Build descriptions with their names resolved to catalog ids, the way the CLI resolves them.

A build file may name hardware as people write it (`{"gpu": "RTX 3090", "count": 2}`); the
composer's pickers hold catalog ids. Resolving once, on the way in, means the editor shows
the GPU the file named; a name that matches nothing, or several things, is refused with
the closest matches instead of silently becoming the first item of a list.
"""

from __future__ import annotations

from typing import Any

from planner.catalog.build_validation import validate_build_spec
from planner.catalog.store import Catalog
from planner.errors import InputError


def canonical_spec(catalog: Catalog, spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of `spec` (checked field by field) whose GPU, Apple chip and CPU names are catalog ids."""
    validate_build_spec(spec)
    out = dict(spec)
    if out.get("apple_chip"):
        chip = catalog.resolve_device(out["apple_chip"])
        if not catalog.is_apple(chip):
            raise InputError(f"apple_chip names {catalog.device_row(chip)['name']}, which is not an Apple chip")
        out["apple_chip"] = chip
    gpus = []
    for index, entry in enumerate(out.get("gpus") or []):
        if "gpu" in entry:
            device = catalog.resolve_device(entry["gpu"], entry.get("vram_gb"))
            if catalog.is_apple(device):
                raise InputError(f"gpus[{index}] names an Apple chip; put it in apple_chip instead")
            entry = {**entry, "gpu": device}
        gpus.append(entry)
    if "gpus" in out:
        out["gpus"] = gpus
    if out.get("cpu"):
        out["cpu"] = catalog.cpu_index.resolve(out["cpu"])
    return out
