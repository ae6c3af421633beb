"""The user database file itself: connecting, checking, setting a damaged file aside, backing up.

Kept apart from `userdb.py` (what is stored) so the rules about the file are in one place:
- a file that fails `PRAGMA integrity_check` is never opened for writing; it is renamed
  aside, intact, and its new name is told to the user;
- a backup is written to a temporary name, checked, and only then renamed into place,
  so a backup that exists is always complete; there is one per schema version;
- SQLite's own errors become `UserDataError` with a message that says what to do.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from planner.errors import UserDataError

BUSY_TIMEOUT_S = 5.0
REQUIRED_COLUMNS = {  # what each schema version adds that this app reads
    "saved_builds": {"id", "name", "spec_json"},
    "custom_gpus": {"id", "row_json"},
    "custom_models": {"id", "row_json"},
    "price_overrides": {"item_table", "item_id", "price_kind", "price_usd", "as_of"},
}
ADDED_IN = {2: {"saved_builds": {"deleted_at"}}}
SIDECARS = ("-wal", "-shm", "-journal")


def connect(path: Path, read_only: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode: every write names its own transaction."""
    target = f"{path.resolve().as_uri()}?mode=ro" if read_only else str(path)
    return sqlite3.connect(target, uri=read_only, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)


def integrity_problem(conn: sqlite3.Connection) -> str | None:
    """None when SQLite finds the file sound; otherwise its first complaint."""
    try:
        result = conn.execute("PRAGMA integrity_check(1)").fetchone()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None if result and result[0] == "ok" else str(result[0] if result else "no answer")


def version_of(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def schema_problem(conn: sqlite3.Connection) -> str | None:
    """None when every table and column this app reads is there (a renamed table is not)."""
    version = version_of(conn)
    if version == 0:
        return "it has no tables (schema version 0)"
    required = {table: set(columns) for table, columns in REQUIRED_COLUMNS.items()}
    for added_in, tables in ADDED_IN.items():
        for table, columns in tables.items():
            if version >= added_in:
                required[table] |= columns
    for table, needed in required.items():
        have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if not have:
            return f"the table {table} is missing"
        if needed - have:
            return f"the table {table} lacks {', '.join(sorted(needed - have))}"
    return None


def set_aside(path: Path, why: str) -> Path:
    """Rename a damaged file (and its journal files) aside, intact; returns its new name."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.stem}.{why}-{stamp}{path.suffix}")
    try:
        os.replace(path, target)
        for suffix in SIDECARS:
            side = path.with_name(path.name + suffix)
            if side.exists():
                os.replace(side, target.with_name(target.name + suffix))
    except OSError as exc:
        raise UserDataError(
            f"your data file {path} is damaged and cannot be moved aside ({exc.strerror}). "
            "Move it elsewhere yourself, or set PLANNER_USER_DATA to another folder."
        ) from exc
    return target


def partial_name(backup: Path) -> Path:
    return backup.with_name(f".{backup.name}.partial")


def remove_partial_backups(path: Path) -> None:
    """A launch killed while backing up leaves its unfinished copy under a hidden name: drop it."""
    for stale in path.parent.glob(f".{path.stem}.v*.bak{path.suffix}.partial"):
        stale.unlink(missing_ok=True)


def backup_name(path: Path, version: int) -> Path:
    return path.with_name(f"{path.stem}.v{version}.bak{path.suffix}")


def write_verified_backup(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    """Copy the open database to `<stem>.v<version>.bak.sqlite`, atomically and checked."""
    target = backup_name(path, version)
    temporary = partial_name(target)
    expected = conn.execute("SELECT count(*) FROM saved_builds").fetchone()[0]
    try:
        temporary.unlink(missing_ok=True)
        copy = sqlite3.connect(temporary, isolation_level=None)
        try:
            conn.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            copy.close()
        _fsync(temporary)
        _verify_backup(temporary, version, expected)
        os.replace(temporary, target)
        _fsync(target.parent)
    except (sqlite3.Error, OSError, UserDataError) as exc:
        temporary.unlink(missing_ok=True)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UserDataError(
            f"could not back up your data file {path} before upgrading it ({reason}). Nothing was "
            "changed; free some disk space or make the folder writable, then start the app again."
        ) from exc
    return target


def _verify_backup(candidate: Path, version: int, expected_builds: int) -> None:
    check = connect(candidate, read_only=True)
    try:
        problem = integrity_problem(check)
        if problem is None and version_of(check) != version:
            problem = f"it has schema version {version_of(check)}, not {version}"
        if problem is None and check.execute("SELECT count(*) FROM saved_builds").fetchone()[0] != expected_builds:
            problem = "it does not hold every saved build"
    finally:
        check.close()
    if problem:
        raise UserDataError(f"the backup copy failed its check: {problem}")


def _fsync(path: Path) -> None:
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) if path.is_dir() else os.O_RDONLY
    try:
        fd = os.open(path, flags)
    except OSError:
        return  # some platforms cannot open a folder; the rename is still atomic
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def explain(exc: sqlite3.Error, path: Path) -> str:
    """What a failed write means for the user, and what to do."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return f"another program (perhaps a second copy of the planner) is writing to {path}; try again"
    if "readonly" in text or "read-only" in text:
        return f"{path} is read-only; check its permissions"
    if "full" in text:
        return f"the disk holding {path} is full; free some space and try again"
    if "malformed" in text or "not a database" in text:
        return f"{path} is damaged; restart the app to set it aside and start a fresh one"
    return f"{exc} ({path})"
