"""Open what measuring needs: the user database (migrated) and its measurement store, and
This PC's facts (latest RAM run, PCIe links, stored measurements)."""

from __future__ import annotations

from pathlib import Path

from planner.catalog.userdb import UserDatabase, default_user_db_path
from planner.measure.store import MeasurementStore
from planner.measure.this_pc import PcFacts
from planner.resources import migrations_dir


def open_store(path: Path | None = None) -> MeasurementStore:
    """The measurement store in the user's database, migrating it first if needed."""
    database = UserDatabase(path or default_user_db_path(), migrations_dir())
    database.close()
    return MeasurementStore(database.path)


def pc_facts(store: MeasurementStore, pcie_gbs: tuple[float, ...] = ()) -> PcFacts:
    return PcFacts(ram=store.latest_ram(), pcie_gbs=pcie_gbs, measurements=tuple(store.measurements()))
