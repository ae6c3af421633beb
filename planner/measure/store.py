"""Measurements in the user database (tables from db/migrations/0003_measurements.sql).

Every run is written in one transaction: a run killed part way, or one whose results
fail to parse, leaves nothing behind.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import replace
from pathlib import Path

from planner.errors import UserDataError
from planner.measure.ram import RamBandwidth
from planner.measure.records import THIS_PC, PcMeasurement

_RAM_COLUMNS = ("gbs", "theoretical_gbs", "threads", "buffer_mib", "seconds", "method", "measured_at")


class MeasurementStore:
    """This PC's RAM runs and speed measurements, plus imported community ones, at `path`
    (a user database that `UserDatabase` has already migrated)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path)
        except sqlite3.Error as exc:
            raise UserDataError(f"cannot open your data file {self.path} ({exc})") from exc
        conn.row_factory = sqlite3.Row
        return conn

    def _write(self, statement: Callable[[sqlite3.Connection], object]) -> None:
        """One transaction: all of it is stored, or (on any error) none of it."""
        try:
            with closing(self._connect()) as conn, conn:
                statement(conn)
        except sqlite3.Error as exc:
            raise UserDataError(f"could not store the measurement in {self.path} ({exc}); nothing was stored") from exc

    # ---- RAM bandwidth --------------------------------------------------------------
    def add_ram(self, result: RamBandwidth) -> None:
        values = tuple(getattr(result, c) for c in _RAM_COLUMNS)
        sql = f"INSERT INTO ram_measurements ({', '.join(_RAM_COLUMNS)}) VALUES (?,?,?,?,?,?,?)"
        self._write(lambda conn: conn.execute(sql, values))

    def latest_ram(self) -> RamBandwidth | None:
        with closing(self._connect()) as conn:
            row = conn.execute(
                f"SELECT {', '.join(_RAM_COLUMNS)} FROM ram_measurements ORDER BY measured_at DESC, id DESC LIMIT 1"
            ).fetchone()
        return RamBandwidth(**dict(row)) if row else None

    # ---- speed measurements ----------------------------------------------------------
    def add_run(self, measurements: Iterable[PcMeasurement]) -> list[PcMeasurement]:
        """Store one run's results together (one transaction); returns them with their run id."""
        run_id = uuid.uuid4().hex[:12]
        stored = [replace(m, run_id=m.run_id or run_id) for m in measurements]
        if not stored:
            return []
        rows = [m.to_row() for m in stored]
        columns = list(rows[0])
        sql = f"INSERT INTO pc_measurements ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        self._write(lambda conn: conn.executemany(sql, [tuple(r[c] for c in columns) for r in rows]))
        return stored

    def measurements(self, origin: str | None = THIS_PC) -> list[PcMeasurement]:
        """Newest first; `origin=None` for all of them."""
        where, args = ("WHERE origin = ?", (origin,)) if origin else ("", ())
        with closing(self._connect()) as conn:
            rows = conn.execute(f"SELECT * FROM pc_measurements {where} ORDER BY measured_at DESC, id", args)
            return [PcMeasurement.from_row(dict(r)) for r in rows.fetchall()]

    def for_model(self, model_id: str, quant: str, origin: str = THIS_PC) -> list[PcMeasurement]:
        return [m for m in self.measurements(origin) if m.model_id == model_id and m.quant == quant]

    def delete_run(self, run_id: str) -> None:
        with closing(self._connect()) as conn, conn:
            conn.execute("DELETE FROM pc_measurements WHERE run_id = ?", (run_id,))
