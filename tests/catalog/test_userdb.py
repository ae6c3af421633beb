"""The user database: saved builds survive, migrations back up first."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from planner.catalog.userdb import UserDatabase, migrations
from planner.errors import InputError, UserDataError

MIGRATIONS = Path(__file__).resolve().parents[2] / "db" / "migrations"


def test_save_rename_delete_undo(tmp_path: Path) -> None:
    db = UserDatabase(tmp_path / "user.sqlite", MIGRATIONS)
    db.save_build("Box", {"gpus": [{"gpu": "RTX 3090"}]})
    with pytest.raises(InputError, match="already exists"):
        db.save_build("Box", {})
    db.rename_build("Box", "Dual box")
    assert [b["name"] for b in db.builds()] == ["Dual box"]
    row_id = db.delete_build("Dual box")
    assert db.builds() == []
    assert db.undelete_build(row_id) == "Dual box"
    assert db.build("Dual box")["gpus"] == [{"gpu": "RTX 3090"}]


def test_data_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "user.sqlite"
    UserDatabase(path, MIGRATIONS).save_build("Box", {"ram_gb": 64})
    assert UserDatabase(path, MIGRATIONS).build("Box")["ram_gb"] == 64


def test_old_database_is_backed_up_then_migrated(tmp_path: Path) -> None:
    path = tmp_path / "user.sqlite"
    only_v1 = tmp_path / "v1"
    only_v1.mkdir()
    (only_v1 / "0001_user_init.sql").write_text((MIGRATIONS / "0001_user_init.sql").read_text())
    UserDatabase(path, only_v1).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO saved_builds (name, spec_json, created_at, updated_at) VALUES (?, ?, '', '')",
            ("Keep me", '{"name": "Keep me", "ram_gb": 32}'),
        )
    conn.close()
    upgraded = UserDatabase(path, MIGRATIONS)
    assert upgraded.version == migrations(MIGRATIONS)[-1][0]
    assert upgraded.backup_path is not None and upgraded.backup_path.exists()
    assert upgraded.build("Keep me")["ram_gb"] == 32
    backup = sqlite3.connect(upgraded.backup_path)
    assert backup.execute("PRAGMA user_version").fetchone()[0] == 1
    assert backup.execute("SELECT name FROM saved_builds").fetchall() == [("Keep me",)]


def test_the_unused_imported_benchmarks_table_is_dropped_after_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "user.sqlite"
    up_to_v2 = tmp_path / "v2"
    up_to_v2.mkdir()
    for name in ("0001_user_init.sql", "0002_imported_benchmarks.sql"):
        (up_to_v2 / name).write_text((MIGRATIONS / name).read_text())
    UserDatabase(path, up_to_v2).close()
    upgraded = UserDatabase(path, MIGRATIONS)
    upgraded.close()
    with closing(sqlite3.connect(path)) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "imported_benchmarks" not in tables and "saved_builds" in tables
    assert upgraded.backup_path is not None
    with closing(sqlite3.connect(upgraded.backup_path)) as backup:
        assert backup.execute("SELECT count(*) FROM imported_benchmarks").fetchone() == (0,)


def test_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(UserDataError, match="PLANNER_USER_DATA"):
        UserDatabase(blocker / "sub" / "user.sqlite", MIGRATIONS)


def test_a_damaged_file_is_named_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "user.sqlite"
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(UserDataError, match=r"user.sqlite is damaged.*move it aside.*backup"):
        UserDatabase(path, MIGRATIONS)
    assert path.read_bytes() == b"not a database" * 100
