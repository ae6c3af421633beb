"""The user's own database: saved builds, custom GPUs and models, price overrides.

It lives in the platform's user-data folder, apart from the shipped catalog, so updating
the app never touches it. On open the file is checked (`PRAGMA integrity_check`, schema
version, expected tables). A damaged file is renamed aside, intact, and a fresh one is
started; a file from a newer app is opened read-only. An older file is migrated in
place after a verified backup. Every write is one SQLite transaction on its own short
connection, with its existence checks inside the transaction, so two processes saving
the same name get a clear message and a crash mid-save leaves the previous state.

Rows that no longer load (bad JSON, a field out of range) are skipped by `builds()` and
listed by `damaged_builds()`, so one bad row never stops the app.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

from planner.catalog import userdb_file as dbfile
from planner.catalog.build_validation import MAX_NAME_CHARS, validate_build_spec
from planner.errors import InputError, UserDataError

APP_NAME = "llm-build-planner"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[\w-]+\.sql$")
TRASH_PREFIX = "\x00deleted:"  # soft-deleted rows give up their name, so it can be reused


def user_data_dir() -> Path:
    override = os.environ.get("PLANNER_USER_DATA")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_user_db_path() -> Path:
    return user_data_dir() / "user.sqlite"


def migrations(migrations_dir: Path) -> list[tuple[int, Path]]:
    found = []
    for path in sorted(migrations_dir.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return found


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class DamagedRow:
    """A stored row that cannot be used: where it is, why, and its raw text (for export)."""

    table: str
    row_id: int
    name: str
    reason: str
    raw: str


class UserDatabase:
    """Saved builds and other user data, in one SQLite file.

    `notices` are messages for the user about the file (set aside, read-only, backed up);
    `read_only_reason` is set when writes are refused, and says why.
    """

    def __init__(self, path: Path, migrations_dir: Path, recover: bool = False) -> None:
        self.path = path
        self.notices: list[str] = []
        self.read_only_reason: str | None = None
        self.backup_path: Path | None = None
        self.set_aside_path: Path | None = None
        self._migrations = migrations(migrations_dir)
        try:
            self._conn = self._open(recover)
        except UserDataError as exc:
            if not recover:
                raise
            self._conn = self._open_scratch(str(exc))

    # ---- opening -------------------------------------------------------------
    def _open(self, recover: bool) -> sqlite3.Connection:
        path = self.path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = dbfile.connect(path)
        except (sqlite3.Error, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise UserDataError(
                f"cannot open your data file {path} ({reason}). Check that the folder exists and is "
                "writable, or set PLANNER_USER_DATA to a writable folder."
            ) from exc
        damage = dbfile.integrity_problem(conn)
        if damage is not None:
            conn.close()
        checked = damage if damage is not None else self._checked_schema(conn)
        if isinstance(checked, sqlite3.Connection):
            return checked
        if not recover:
            raise UserDataError(
                f"your data file {path} is damaged ({checked}). Nothing was changed: move it aside to "
                f"start with an empty one, or put back a backup ({path.stem}.v*.bak.sqlite) from the "
                "same folder."
            )
        self.set_aside_path = dbfile.set_aside(path, "damaged")
        self.notices.append(
            f"Your data file was damaged ({checked}). It was kept as {self.set_aside_path}; "
            "the app started a fresh one."
        )
        fresh = self._checked_schema(dbfile.connect(path))
        if isinstance(fresh, str):
            raise UserDataError(f"cannot start a fresh data file {path}: {fresh}")
        return fresh

    def _checked_schema(self, conn: sqlite3.Connection) -> sqlite3.Connection | str:
        """The connection, migrated, read-only if need be; or the reason the schema is unusable."""
        path = self.path
        latest = self._migrations[-1][0] if self._migrations else 0
        read_only = None
        if path.exists() and not os.access(path, os.W_OK):
            read_only = f"your data file {path} is read-only; check its permissions to save changes."
        elif dbfile.version_of(conn) > latest:
            read_only = (
                f"your data file {path} was written by a newer version of the app (schema "
                f"{dbfile.version_of(conn)}; this one knows {latest}). It is open read-only; update the app "
                "to change it."
            )
        if read_only:
            conn.close()
            conn = dbfile.connect(path, read_only=True)
        else:
            try:
                conn.execute("PRAGMA journal_mode=WAL")
            except sqlite3.Error as exc:
                conn.close()
                raise UserDataError(f"cannot use your data file: {dbfile.explain(exc, path)}") from exc
            self._migrate(conn)
        problem = dbfile.schema_problem(conn)
        if problem is not None:
            conn.close()
            if read_only:  # not ours to set aside: a newer app may read it fine
                raise UserDataError(f"{read_only} This version cannot read it ({problem}).")
            return problem
        if read_only:
            self.read_only_reason = read_only
            self.notices.append(read_only)
        return conn

    def _open_scratch(self, why: str) -> sqlite3.Connection:
        """A fresh, empty database in a temporary folder; every write is refused with `why`."""
        self.read_only_reason = f"{why} Nothing you change this session can be saved."
        self.notices.append(self.read_only_reason)
        self.path = Path(tempfile.mkdtemp(prefix="planner-unsaved-")) / "user.sqlite"
        conn = dbfile.connect(self.path)
        self._migrate(conn)
        return conn

    def close(self) -> None:
        self._conn.close()

    @property
    def version(self) -> int:
        return dbfile.version_of(self._conn)

    def _migrate(self, conn: sqlite3.Connection) -> None:
        current = dbfile.version_of(conn)
        pending = [(n, p) for n, p in self._migrations if n > current]
        dbfile.remove_partial_backups(self.path)
        if not pending:
            return
        if current > 0:
            self.backup_path = dbfile.write_verified_backup(conn, self.path, current)
        for number, path in pending:
            script = path.read_text(encoding="utf-8")
            try:
                conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    conn.rollback()
                kept = f" A copy from before the upgrade is at {self.backup_path}." if self.backup_path else ""
                raise UserDataError(
                    f"could not upgrade your data file {self.path} to version {number} "
                    f"({dbfile.explain(exc, self.path)}). Nothing was changed.{kept}"
                ) from exc

    # ---- writing -------------------------------------------------------------
    @contextmanager
    def writing(self, what: str) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction on a short-lived connection; SQLite errors become UserDataError."""
        if self.read_only_reason:
            raise UserDataError(f"could not {what}: {self.read_only_reason}")
        try:
            conn = dbfile.connect(self.path)
        except sqlite3.Error as exc:
            raise UserDataError(f"could not {what}: {dbfile.explain(exc, self.path)}") from exc
        try:
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.rollback()
            raise UserDataError(f"could not {what}: {dbfile.explain(exc, self.path)}. Nothing was changed.") from exc
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise
        finally:
            conn.close()

    # ---- saved builds --------------------------------------------------------
    def save_build(self, name: str, spec: dict[str, Any], replace: bool = False) -> None:
        name = _clean_name(name)
        validate_build_spec({**spec, "name": name})
        spec_json = json.dumps({**spec, "name": name}, sort_keys=True, allow_nan=False)
        with self.writing(f"save “{name}”") as conn:
            existing = _live_id(conn, name)
            if existing is not None and not replace:
                raise InputError(f"a build called {name!r} already exists; choose another name")
            _free_trashed_name(conn, name)
            if existing is not None:
                conn.execute(
                    "UPDATE saved_builds SET spec_json = ?, updated_at = ? WHERE id = ?", (spec_json, _now(), existing)
                )
            else:
                conn.execute(
                    "INSERT INTO saved_builds (name, spec_json, created_at, updated_at) VALUES (?, ?, ?, ?)",
                    (name, spec_json, _now(), _now()),
                )

    def builds(self) -> list[dict[str, Any]]:
        """Every saved build that loads; the others are listed by `damaged_builds()`."""
        return [spec for spec, _damage in self._load_builds() if spec is not None]

    def damaged_builds(self) -> list[DamagedRow]:
        return [damage for _spec, damage in self._load_builds() if damage is not None]

    def _load_builds(self) -> list[tuple[dict[str, Any] | None, DamagedRow | None]]:
        try:
            rows = self._conn.execute(
                "SELECT id, name, spec_json FROM saved_builds WHERE deleted_at IS NULL ORDER BY name COLLATE NOCASE"
            ).fetchall()
        except sqlite3.Error as exc:
            self.notices.append(f"Could not read your saved builds: {dbfile.explain(exc, self.path)}")
            return []
        return [_load_row(row_id, name, raw) for row_id, name, raw in rows]

    def build(self, name: str) -> dict[str, Any]:
        for spec in self.builds():
            if spec["name"] == name:
                return spec
        raise InputError(f"no saved build called {name!r}")

    def rename_build(self, old: str, new: str) -> None:
        new = _clean_name(new)
        with self.writing(f"rename “{old}”") as conn:
            row_id = _live_id(conn, old)
            if row_id is None:
                raise InputError(f"no saved build called {old!r}")
            if new != old and _live_id(conn, new) is not None:
                raise InputError(f"a build called {new!r} already exists; choose another name")
            _free_trashed_name(conn, new)
            _set_name(conn, row_id, new)

    def delete_build(self, name: str) -> int:
        """Soft delete, so the app can undo it; returns the row's id for `undelete_build`."""
        with self.writing(f"delete “{name}”") as conn:
            row_id = _live_id(conn, name)
            if row_id is None:
                raise InputError(f"no saved build called {name!r}")
            conn.execute(
                "UPDATE saved_builds SET deleted_at = ?, name = ? WHERE id = ?",
                (_now(), f"{TRASH_PREFIX}{row_id}", row_id),
            )
        return row_id

    def undelete_build(self, row_id: int) -> str:
        """Bring a deleted build back; under a free name if its own was taken meanwhile."""
        with self.writing("restore the deleted build") as conn:
            row = conn.execute("SELECT spec_json FROM saved_builds WHERE id = ?", (row_id,)).fetchone()
            if row is None:
                raise InputError("that deleted build is no longer stored, so it cannot be restored")
            try:
                wanted = str(json.loads(row[0]).get("name") or "Restored build")
            except (ValueError, AttributeError, RecursionError):
                wanted = "Restored build"
            name, n = wanted, 1
            while _live_id(conn, name) not in (None, row_id):
                name, n = f"{wanted} (restored{'' if n == 1 else f' {n}'})", n + 1
            _set_name(conn, row_id, name)
            conn.execute("UPDATE saved_builds SET deleted_at = NULL WHERE id = ?", (row_id,))
        return name

    def delete_damaged(self, row_ids: list[int]) -> None:
        """Remove rows that cannot be loaded (after the user was offered an export)."""
        with self.writing("delete the damaged builds") as conn:
            conn.executemany("DELETE FROM saved_builds WHERE id = ?", [(i,) for i in row_ids])

    # ---- price overrides -----------------------------------------------------
    def set_price(self, item_table: str, item_id: str, price_kind: str, price_usd: float) -> None:
        if not isinstance(price_usd, int | float) or not 0 <= price_usd < float("inf"):
            raise InputError("a price must be a number of 0 or more")
        with self.writing("save the price") as conn:
            conn.execute(
                "INSERT OR REPLACE INTO price_overrides VALUES (?, ?, ?, ?, ?)",
                (item_table, item_id, price_kind, float(price_usd), _now()[:10]),
            )

    def prices(self) -> list[dict[str, Any]]:
        """Price overrides that are usable numbers (a damaged one is ignored)."""
        cols = ("item_table", "item_id", "price_kind", "price_usd", "as_of")
        try:
            rows = self._conn.execute(f"SELECT {', '.join(cols)} FROM price_overrides").fetchall()
        except sqlite3.Error:
            return []
        out = [dict(zip(cols, r, strict=True)) for r in rows]
        return [p for p in out if isinstance(p["price_usd"], int | float) and 0 <= p["price_usd"] < float("inf")]


def _clean_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InputError("a build needs a name")
    name = name.replace("\x00", "").strip()
    if len(name) > MAX_NAME_CHARS:
        raise InputError(f"a build name can have at most {MAX_NAME_CHARS} characters; this one has {len(name):,}")
    return name


def _live_id(conn: sqlite3.Connection, name: str) -> int | None:
    row = conn.execute("SELECT id FROM saved_builds WHERE name = ? AND deleted_at IS NULL", (name,)).fetchone()
    return None if row is None else int(row[0])


def _free_trashed_name(conn: sqlite3.Connection, name: str) -> None:
    """A deleted row from an older version may still hold `name`: move it to its trash name."""
    conn.execute(
        "UPDATE saved_builds SET name = ? || id WHERE name = ? AND deleted_at IS NOT NULL", (TRASH_PREFIX, name)
    )


def _set_name(conn: sqlite3.Connection, row_id: int, name: str) -> None:
    raw = conn.execute("SELECT spec_json FROM saved_builds WHERE id = ?", (row_id,)).fetchone()[0]
    try:
        spec = json.loads(raw)
    except (ValueError, RecursionError):
        spec = None
    spec_json = json.dumps({**spec, "name": name}, sort_keys=True) if isinstance(spec, dict) else raw
    conn.execute(
        "UPDATE saved_builds SET name = ?, spec_json = ?, updated_at = ? WHERE id = ?",
        (name, spec_json, _now(), row_id),
    )


def _load_row(row_id: int, name: str, raw: Any) -> tuple[dict[str, Any] | None, DamagedRow | None]:
    try:
        spec = json.loads(raw)
        if not isinstance(spec, dict):
            raise InputError("it is not a JSON object")
        validate_build_spec({**spec, "name": name})
    except (ValueError, TypeError, RecursionError, InputError) as exc:
        reason = "it is not valid JSON" if isinstance(exc, ValueError | RecursionError) else str(exc)
        return None, DamagedRow("saved_builds", row_id, str(name), reason, str(raw))
    return {**spec, "name": name}, None
