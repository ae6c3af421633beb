"""Helpers shared by subcommands: opening the catalog, printing JSON."""

from __future__ import annotations

import json
import sys
from typing import Any

from planner.catalog.store import Catalog
from planner.resources import catalog_path


def open_catalog() -> Catalog:
    return Catalog(catalog_path())


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, sort_keys=False, default=str)
    sys.stdout.write("\n")
