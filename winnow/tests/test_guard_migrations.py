"""A fresh `winnow migrate` guards every permanent table: on a database of its own, in a process of its own, with
nothing but the migrate command installing anything."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from winnow import permanence


def test_it_guards_every_permanent_table_after_a_fresh_migrate(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"WINNOW_DATA_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-m", "winnow", "migrate", "-v", "0"], env=env, check=True, timeout=300)
    with sqlite3.connect(tmp_path / "winnow.sqlite3") as db:
        triggers = {(table, name) for table, name in db.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")}
    models = permanence.permanent_models()
    assert len(models) >= 40
    for model in models:
        table = model._meta.db_table
        assert (table, f"winnow_guard_{table}_update") in triggers, table
        if not model.deletable:
            assert (table, f"winnow_guard_{table}_delete") in triggers, table
