"""Kill -9 during saves and during upgrades: nothing committed is lost, no empty backup is left.

A child process writes and reports each write only after it returned (committed); the
parent kills it at a random moment, reopens the file as the next launch would, and checks.
The loops are bounded (a few seconds each); the random delays are seeded, so a failure
can be replayed.
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from planner.catalog.userdb import UserDatabase

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "db" / "migrations"
LATEST_VERSION = max(int(p.name.split("_")[0]) for p in MIGRATIONS.glob("*.sql"))
KILLS = 12

SAVER = """
import sys
import time
from pathlib import Path
from planner.catalog.userdb import UserDatabase
db = UserDatabase(Path(sys.argv[1]), Path(sys.argv[2]))
start = int(sys.argv[3])
print("ready", flush=True)
for i in range(start, start + 100000):
    db.save_build(f"build {i}", {"gpus": [{"gpu": "rtx-3090", "count": 1 + i % 4}], "ram_gb": 32})
    print(i, flush=True)
"""

UPGRADER = """
import sys
import time
from pathlib import Path
from planner.catalog.userdb import UserDatabase
print("ready", flush=True)
UserDatabase(Path(sys.argv[1]), Path(sys.argv[2])).close()
print("upgraded", flush=True)
"""


def run_and_kill(script: str, args: list[str], delay_s: float) -> list[str]:
    """Start `script`, wait for "ready", let it run `delay_s`, SIGKILL it; its committed lines."""
    child = subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready", child.stderr.read() if child.stderr else ""
    try:
        child.wait(timeout=delay_s)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
        child.wait()
    out = child.stdout.read().split()
    child.stdout.close()
    assert child.stderr is not None
    child.stderr.close()
    return out


def test_kill_during_saves_loses_nothing_committed(tmp_path: Path) -> None:
    path = tmp_path / "user.sqlite"
    UserDatabase(path, MIGRATIONS).close()
    rng = random.Random(17)
    committed: set[str] = set()
    start = 0
    for _ in range(KILLS):
        done = run_and_kill(SAVER, [str(path), str(MIGRATIONS), str(start)], rng.uniform(0.0, 0.4))
        committed |= {f"build {i}" for i in done}
        start += 100000
        db = UserDatabase(path, MIGRATIONS)
        names = {b["name"] for b in db.builds()}
        assert db.damaged_builds() == []
        db.close()
        assert committed <= names, f"lost {sorted(committed - names)[:5]}"
    assert committed, "the child never got to commit a save; the test proved nothing"


def v1_database(folder: Path) -> Path:
    only_v1 = folder / "v1-migrations"
    only_v1.mkdir()
    (only_v1 / "0001_user_init.sql").write_text((MIGRATIONS / "0001_user_init.sql").read_text())
    path = folder / "user.sqlite"
    UserDatabase(path, only_v1).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO saved_builds (name, spec_json, created_at, updated_at) VALUES (?, ?, '', '')",
            [(f"b{i}", json.dumps({"name": f"b{i}", "ram_gb": 32, "notes": "x" * 2000})) for i in range(3000)],
        )
    conn.close()
    return path


def upgrade_seconds(tmp_path: Path) -> float:
    """How long one whole upgrade takes here, so the kills land inside it on any machine."""
    folder = tmp_path / "timing"
    folder.mkdir()
    path = v1_database(folder)
    child = subprocess.Popen(
        [sys.executable, "-c", UPGRADER, str(path), str(MIGRATIONS)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    start = time.perf_counter()
    child.wait(timeout=120)
    elapsed = time.perf_counter() - start
    child.stdout.close()
    return elapsed


def test_kill_during_upgrades_leaves_a_full_backup_or_none(tmp_path: Path) -> None:
    rng = random.Random(1717)
    window_s = upgrade_seconds(tmp_path)
    outcomes = {"upgraded": 0, "killed": 0}
    for attempt in range(KILLS):
        folder = tmp_path / f"run{attempt}"
        folder.mkdir()
        path = v1_database(folder)
        out = run_and_kill(UPGRADER, [str(path), str(MIGRATIONS)], rng.uniform(0.0, 0.9 * window_s))
        outcomes["upgraded" if "upgraded" in out else "killed"] += 1
        for backup in folder.glob("*.bak.sqlite"):
            conn = sqlite3.connect(f"{backup.as_uri()}?mode=ro", uri=True)
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("SELECT count(*) FROM saved_builds").fetchone()[0] == 3000
            conn.close()
        db = UserDatabase(path, MIGRATIONS)  # the next launch
        assert db.version == LATEST_VERSION and len(db.builds()) == 3000
        db.close()
        assert not list(folder.glob(".*partial")), "an unfinished backup was left behind"
        # one backup per version the file was upgraded from: a kill between two migrations leaves
        # the file at an intermediate version, whose own backup the next launch writes
        assert 1 <= len(list(folder.glob("*.bak.sqlite"))) <= LATEST_VERSION - 1
    assert outcomes["killed"] > 0, outcomes
