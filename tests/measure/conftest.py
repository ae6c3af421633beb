"""Fixtures for measuring: a migrated user database and a stand-in GGUF file (the HTTP replay
server is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.catalog.userdb import UserDatabase
from planner.measure.store import MeasurementStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path: Path) -> MeasurementStore:
    database = UserDatabase(tmp_path / "user.sqlite", ROOT / "db" / "migrations")
    database.close()
    return MeasurementStore(database.path)


@pytest.fixture
def gguf(tmp_path: Path) -> Path:
    """A file where the user's GGUF would be; the fake llama-bench never opens it."""
    path = tmp_path / "Qwen2.5-7B-Instruct-Q4_K_M.gguf"
    path.write_bytes(b"GGUF")
    return path
