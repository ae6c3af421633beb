"""Fault injection on the user database: damaged rows and files, newer schemas, failing writes."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest

from planner.catalog import userdb_file
from planner.catalog.user_catalog import UserCatalog
from planner.catalog.userdb import UserDatabase
from planner.errors import InputError, UserDataError

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "db" / "migrations"
GOOD = {"gpus": [{"gpu": "rtx-3090", "count": 1}], "ram_gb": 32}

# The saved-build rows that once stopped every later launch (raw spec_json as stored).
DAMAGED_ROWS = {
    "invalid json": '{"gpus": [',
    "not an object": "[1, 2, 3]",
    "negative price": json.dumps({**GOOD, "price_usd": -5000}),
    "nan memory": '{"apple_chip": "m3-max-40c", "unified_memory_gb": NaN}',
    "bad custom gpu": json.dumps({"gpus": [{"custom": {"name": "X", "memory_gb": -1, "bandwidth_gbs": 1}}]}),
    "gpus not a list": json.dumps({"gpus": "two"}),
}


def insert_raw(path: Path, name: str, spec_json: str) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO saved_builds (name, spec_json, created_at, updated_at) VALUES (?, ?, '', '')",
            (name, spec_json),
        )
    conn.close()


@pytest.fixture
def db(tmp_path: Path) -> UserDatabase:
    database = UserDatabase(tmp_path / "user.sqlite", MIGRATIONS)
    database.save_build("Good", GOOD)
    return database


def test_damaged_rows_are_skipped_and_listed(db: UserDatabase) -> None:
    for name, raw in DAMAGED_ROWS.items():
        insert_raw(db.path, name, raw)
    assert [b["name"] for b in db.builds()] == ["Good"]
    damaged = {row.name: row for row in db.damaged_builds()}
    assert set(damaged) == set(DAMAGED_ROWS)
    assert damaged["invalid json"].reason == "it is not valid JSON"
    assert "price_usd" in damaged["negative price"].reason
    assert "unified_memory_gb" in damaged["nan memory"].reason
    assert damaged["invalid json"].raw == DAMAGED_ROWS["invalid json"]
    db.delete_damaged([row.row_id for row in damaged.values()])
    assert db.damaged_builds() == [] and [b["name"] for b in db.builds()] == ["Good"]


def test_a_bad_build_is_never_saved(db: UserDatabase) -> None:
    with pytest.raises(InputError, match="price_usd"):
        db.save_build("Bad", {**GOOD, "price_usd": -5000})
    with pytest.raises(InputError, match="at most 200"):
        db.save_build("x" * 300, GOOD)


def test_damaged_custom_rows_are_skipped(db: UserDatabase) -> None:
    conn = sqlite3.connect(db.path)
    with conn:
        conn.execute("INSERT INTO custom_gpus VALUES ('a', '{oops', '')")
        conn.execute(
            "INSERT INTO custom_gpus VALUES ('b', ?, '')", (json.dumps({"id": "b", "name": "B", "vram_gb": "x"}),)
        )
        conn.execute("INSERT INTO custom_models VALUES ('c', '42', '')")
        conn.execute("INSERT INTO price_overrides VALUES ('gpus', 'rtx-3090', 'used', -3, '')")
    conn.close()
    user = UserCatalog(db.path)
    assert user.gpus() == [] and user.models() == []
    assert len(user.damaged) == 3
    assert db.prices() == []


# ---- damaged files -------------------------------------------------------------------
def corrupt_pages(path: Path) -> bytes:
    """A database that opens but whose inner pages are garbage (malformed)."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("PRAGMA journal_mode=DELETE")
        for i in range(300):
            conn.execute(
                "INSERT INTO saved_builds (name, spec_json, created_at, updated_at) VALUES (?, ?, '', '')",
                (f"b{i}", json.dumps(GOOD) + " " * 500),
            )
    conn.close()
    data = bytearray(path.read_bytes())
    for offset in range(4096 * 2, len(data) - 4096, 4096):
        data[offset + 8 : offset + 200] = b"\xa5" * 192
    path.write_bytes(bytes(data))
    return bytes(data)


def test_a_malformed_file_is_set_aside_intact_and_a_fresh_one_started(tmp_path: Path) -> None:
    path = tmp_path / "user.sqlite"
    UserDatabase(path, MIGRATIONS).close()
    damaged = corrupt_pages(path)
    db = UserDatabase(path, MIGRATIONS, recover=True)
    assert db.set_aside_path is not None and db.set_aside_path.read_bytes() == damaged
    assert str(db.set_aside_path) in db.notices[0]
    assert db.builds() == [] and db.read_only_reason is None
    db.save_build("After", GOOD)
    assert db.build("After")["ram_gb"] == 32


def test_a_file_that_is_not_a_database_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "user.sqlite"
    path.write_bytes(b"garbage" * 1000)
    db = UserDatabase(path, MIGRATIONS, recover=True)
    assert db.set_aside_path is not None and db.set_aside_path.read_bytes() == b"garbage" * 1000


def test_without_recovery_a_damaged_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "user.sqlite"
    UserDatabase(path, MIGRATIONS).close()
    damaged = corrupt_pages(path)
    with pytest.raises(UserDataError, match="is damaged"):
        UserDatabase(path, MIGRATIONS)
    assert path.read_bytes() == damaged


def test_a_newer_schema_opens_read_only_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "user.sqlite"
    first = UserDatabase(path, MIGRATIONS)
    first.save_build("Kept", GOOD)
    first.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    db = UserDatabase(path, MIGRATIONS, recover=True)
    assert db.read_only_reason and "newer version" in db.read_only_reason
    assert [b["name"] for b in db.builds()] == ["Kept"]
    with pytest.raises(UserDataError, match="newer version"):
        db.save_build("New", GOOD)
    assert db.version == 99


def test_a_renamed_table_is_damage_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "user.sqlite"
    UserDatabase(path, MIGRATIONS).close()
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE saved_builds RENAME TO builds_v3")
    conn.close()
    db = UserDatabase(path, MIGRATIONS, recover=True)
    assert db.set_aside_path is not None and "saved_builds is missing" in db.notices[0]
    assert db.builds() == []


def test_a_folder_that_cannot_be_created_still_opens_unsaved(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    db = UserDatabase(blocker / "sub" / "user.sqlite", MIGRATIONS, recover=True)
    assert db.read_only_reason and "PLANNER_USER_DATA" in db.read_only_reason
    with pytest.raises(UserDataError, match="can be saved"):
        db.save_build("Box", GOOD)


# ---- failing writes -------------------------------------------------------------------
def test_a_write_lock_held_elsewhere_is_a_clear_error(db: UserDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(userdb_file, "BUSY_TIMEOUT_S", 0.1)
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(UserDataError, match="another program"):
            db.save_build("Blocked", GOOD)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert "Blocked" not in [b["name"] for b in db.builds()]


def test_a_full_disk_is_a_clear_error(db: UserDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    real_connect = userdb_file.connect

    def full(path: Path, read_only: bool = False) -> sqlite3.Connection:
        conn = real_connect(path, read_only)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite answers SQLITE_FULL, as on a full disk
        return conn

    monkeypatch.setattr(userdb_file, "connect", full)
    with pytest.raises(UserDataError, match="is full"):
        db.save_build("Big", {**GOOD, "notes": "x" * 9000})


def test_a_read_only_file_is_a_clear_error(db: UserDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    real_connect = userdb_file.connect
    monkeypatch.setattr(userdb_file, "connect", lambda path, read_only=False: real_connect(path, read_only=True))
    with pytest.raises(UserDataError, match="read-only"):
        db.save_build("Box", GOOD)


def test_two_processes_saving_the_same_new_name_get_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "user.sqlite"
    dbs = [UserDatabase(path, MIGRATIONS) for _ in range(2)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def save(db: UserDatabase) -> None:
        barrier.wait()
        try:
            db.save_build("Same", GOOD)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(db,)) for db in dbs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 1 and isinstance(errors[0], InputError) and "already exists" in str(errors[0])


# ---- undo after a name clash ---------------------------------------------------------
@pytest.mark.parametrize("clash", ["rename", "save"])
def test_undo_after_a_name_clash_restores_under_a_free_name(db: UserDatabase, clash: str) -> None:
    db.save_build("A", {**GOOD, "ram_gb": 64})
    db.save_build("B", {**GOOD, "ram_gb": 128})
    b_row = db.delete_build("B")
    if clash == "rename":
        db.rename_build("A", "B")
    else:
        db.save_build("B", {**GOOD, "ram_gb": 16})
    restored = db.undelete_build(b_row)
    assert restored == "B (restored)"
    assert db.build("B (restored)")["ram_gb"] == 128
    assert db.build("B")["ram_gb"] in (64, 16)
    # redo: deleting the restored row again leaves the other B alone
    assert db.delete_build(restored) == b_row
    assert db.build("B")["ram_gb"] in (64, 16)


# ---- backups --------------------------------------------------------------------------
def v1_database(tmp_path: Path) -> tuple[Path, Path]:
    only_v1 = tmp_path / "v1"
    only_v1.mkdir()
    (only_v1 / "0001_user_init.sql").write_text((MIGRATIONS / "0001_user_init.sql").read_text())
    path = tmp_path / "user.sqlite"
    UserDatabase(path, only_v1).close()
    insert_raw(path, "Keep me", json.dumps({"name": "Keep me", **GOOD}))
    return path, only_v1


def test_upgrade_backup_is_complete_and_one_per_version(tmp_path: Path) -> None:
    path, _ = v1_database(tmp_path)
    db = UserDatabase(path, MIGRATIONS)
    assert db.backup_path == tmp_path / "user.v1.bak.sqlite"
    backup = sqlite3.connect(db.backup_path)
    assert backup.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert backup.execute("SELECT name FROM saved_builds").fetchall() == [("Keep me",)]
    backup.close()
    assert [p.name for p in tmp_path.glob("*.bak*")] == ["user.v1.bak.sqlite"]


def test_a_failed_backup_leaves_no_file_and_names_no_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, _ = v1_database(tmp_path)
    real_connect = sqlite3.connect

    def tiny_disk(target: object, *args: object, **kwargs: object) -> sqlite3.Connection:
        conn = real_connect(target, *args, **kwargs)  # type: ignore[arg-type]
        if str(target).endswith(".partial"):
            conn.execute("PRAGMA max_page_count = 1")  # the copy runs out of room, as on a full disk
        return conn

    monkeypatch.setattr(userdb_file.sqlite3, "connect", tiny_disk)
    with pytest.raises(UserDataError) as failure:
        UserDatabase(path, MIGRATIONS)
    message = str(failure.value)
    assert "could not back up" in message and "None" not in message
    assert not [p for p in tmp_path.iterdir() if ".bak" in p.name]
    monkeypatch.undo()
    assert UserDatabase(path, MIGRATIONS).build("Keep me")["ram_gb"] == 32  # nothing was lost
