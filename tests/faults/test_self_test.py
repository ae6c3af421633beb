"""`planner --self-test` runs on a read-only copy of the user's real data, so it cannot report
ok while the app could not start with that data, and it never changes the real file."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from planner.catalog.userdb import UserDatabase

ROOT = Path(__file__).resolve().parents[2]


def test_self_test_reads_the_real_database_without_changing_it(tmp_path: Path) -> None:
    data = tmp_path / "userdata"
    db = UserDatabase(data / "user.sqlite", ROOT / "db" / "migrations")
    db.save_build("Fine", {"gpus": [{"gpu": "rtx-3090", "count": 2}], "ram_gb": 64})
    db.close()
    conn = sqlite3.connect(data / "user.sqlite")
    with conn:
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute(
            "INSERT INTO saved_builds (name, spec_json, created_at, updated_at) VALUES (?, ?, '', '')",
            ("Broken", '{"price_usd": -5'),
        )
    conn.close()
    before = (data / "user.sqlite").read_bytes()
    env = {**os.environ, "PLANNER_USER_DATA": str(data), "HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    run = subprocess.run(
        [sys.executable, "-m", "planner.cli", "--self-test"], env=env, capture_output=True, text=True, timeout=600
    )
    summary = json.loads(run.stdout[run.stdout.index("{") :])
    assert run.returncode == 0 and summary["ok"], summary["errors"]
    assert summary["user_data"]["saved_builds"] == 1
    assert [line.split(":")[0] for line in summary["user_data"]["damaged_builds"]] == ["Broken"]
    assert (data / "user.sqlite").read_bytes() == before
