"""A fresh `winnow migrate` guards every permanent table (the test fixtures install guards themselves, so this
checks the migrations alone, on a database of its own)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from winnow import dbguards


def test_it_guards_every_permanent_table_after_a_fresh_migrate(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"WINNOW_DATA_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-m", "winnow", "migrate", "-v", "0"], env=env, check=True, timeout=300)
    with sqlite3.connect(tmp_path / "winnow.sqlite3") as db:
        triggers = {name for (name,) in db.execute("SELECT tbl_name || ':' || name FROM sqlite_master WHERE type = 'trigger'")}
    for table in dbguards.APPEND_ONLY:
        assert f"{table}:winnow_guard_{table}_update" in triggers, table
        assert f"{table}:winnow_guard_{table}_delete" in triggers, table
    for table in dbguards.NO_DELETE:
        assert f"{table}:winnow_guard_{table}_delete" in triggers, table
    assert "referrals_referral:winnow_guard_referrals_referral_update" in triggers
