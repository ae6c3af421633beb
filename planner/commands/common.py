"""Helpers shared by subcommands: opening the catalog, printing JSON."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from planner.catalog.store import Catalog
from planner.resources import catalog_path


def open_catalog() -> Catalog:
    return Catalog(catalog_path())


def json_safe(data: Any) -> Any:
    """`data` with NaN and infinities as null: strict JSON readers reject a bare `NaN`."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: json_safe(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [json_safe(v) for v in data]
    return data


def print_json(data: Any) -> None:
    json.dump(json_safe(data), sys.stdout, indent=2, sort_keys=False, default=str, allow_nan=False)
    sys.stdout.write("\n")
