"""The user's own database: saved builds, custom GPUs and models, price overrides.

It lives in the platform's user-data folder, apart from the shipped catalog, so updating
the app never touches it. Opening an older database migrates it in place, after taking a
backup copy next to it. Every write is one SQLite transaction: a crash mid-save leaves
the previous state intact.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

from planner.errors import InputError, UserDataError

APP_NAME = "llm-build-planner"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[\w-]+\.sql$")


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


class UserDatabase:
    """Saved builds and other user data, in one SQLite file."""

    def __init__(self, path: Path, migrations_dir: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(path, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError):
                raise UserDataError(
                    f"cannot open your data file {path} ({exc}). Check that the folder is writable, "
                    "or set PLANNER_USER_DATA to a writable folder."
                ) from exc
            raise UserDataError(
                f"your data file {path} is damaged ({exc}). Nothing was changed: move it aside to "
                f"start with an empty one, or put back the newest backup ({path.stem}.v*.bak.sqlite) "
                "from the same folder."
            ) from exc
        except OSError as exc:
            raise UserDataError(
                f"cannot open your data file {path} ({exc}). Check that the folder exists and "
                "is writable, or set PLANNER_USER_DATA to a writable folder."
            ) from exc
        self.backup_path: Path | None = None
        self._migrate(migrations_dir)

    def close(self) -> None:
        self._conn.close()

    @property
    def version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self, migrations_dir: Path) -> None:
        pending = [(n, p) for n, p in migrations(migrations_dir) if n > self.version]
        if not pending:
            return
        if self.version > 0:
            self.backup_path = self._backup()
        for number, path in pending:
            script = path.read_text(encoding="utf-8")
            try:
                with self._conn:
                    self._conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
            except sqlite3.Error as exc:
                self._conn.rollback()
                raise UserDataError(
                    f"could not upgrade your data file {self.path} to version {number} ({exc}). "
                    f"Nothing was lost: a copy is at {self.backup_path}."
                ) from exc

    def _backup(self) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.stem}.v{self.version}.{stamp}.bak.sqlite")
        dest = sqlite3.connect(target)
        with dest:
            self._conn.backup(dest)
        dest.close()
        return target

    # ---- saved builds --------------------------------------------------------
    def save_build(self, name: str, spec: dict[str, Any], replace: bool = False) -> None:
        name = name.strip()
        if not name:
            raise InputError("a build needs a name")
        spec_json = json.dumps({**spec, "name": name}, sort_keys=True)
        existing = self._conn.execute("SELECT id, deleted_at FROM saved_builds WHERE name = ?", (name,)).fetchone()
        with self._conn:
            if existing and existing[1] is None and not replace:
                raise InputError(f"a build called {name!r} already exists; choose another name")
            if existing:
                self._conn.execute(
                    "UPDATE saved_builds SET spec_json = ?, updated_at = ?, deleted_at = NULL WHERE id = ?",
                    (spec_json, _now(), existing[0]),
                )
            else:
                self._conn.execute(
                    "INSERT INTO saved_builds (name, spec_json, created_at, updated_at) VALUES (?, ?, ?, ?)",
                    (name, spec_json, _now(), _now()),
                )

    def builds(self) -> list[dict[str, Any]]:
        rows = self._conn.execute(
            "SELECT spec_json FROM saved_builds WHERE deleted_at IS NULL ORDER BY name COLLATE NOCASE"
        ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def build(self, name: str) -> dict[str, Any]:
        row = self._conn.execute(
            "SELECT spec_json FROM saved_builds WHERE name = ? AND deleted_at IS NULL", (name,)
        ).fetchone()
        if row is None:
            raise InputError(f"no saved build called {name!r}")
        return dict(json.loads(row[0]))

    def rename_build(self, old: str, new: str) -> None:
        spec = self.build(old)
        new = new.strip()
        if not new:
            raise InputError("a build needs a name")
        if new != old and any(b["name"] == new for b in self.builds()):
            raise InputError(f"a build called {new!r} already exists; choose another name")
        with self._conn:
            self._conn.execute("DELETE FROM saved_builds WHERE name = ? AND deleted_at IS NOT NULL", (new,))
            self._conn.execute(
                "UPDATE saved_builds SET name = ?, spec_json = ?, updated_at = ? WHERE name = ?",
                (new, json.dumps({**spec, "name": new}, sort_keys=True), _now(), old),
            )

    def delete_build(self, name: str) -> None:
        """Soft delete, so the app can undo it."""
        self.build(name)
        with self._conn:
            self._conn.execute("UPDATE saved_builds SET deleted_at = ? WHERE name = ?", (_now(), name))

    def undelete_build(self, name: str) -> None:
        with self._conn:
            self._conn.execute("UPDATE saved_builds SET deleted_at = NULL WHERE name = ?", (name,))

    # ---- price overrides -----------------------------------------------------
    def set_price(self, item_table: str, item_id: str, price_kind: str, price_usd: float) -> None:
        if price_usd < 0:
            raise InputError("a price cannot be negative")
        with self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO price_overrides VALUES (?, ?, ?, ?, ?)",
                (item_table, item_id, price_kind, price_usd, _now()[:10]),
            )

    def prices(self) -> list[dict[str, Any]]:
        cols = ("item_table", "item_id", "price_kind", "price_usd", "as_of")
        return [dict(zip(cols, r, strict=True)) for r in self._conn.execute("SELECT * FROM price_overrides")]
