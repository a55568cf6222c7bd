"""`winnow validate --csv FILE [--json]`: offline cases, no database needed; bad files get a clear error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

GOOD = "band,outcome\n" + "very_high,yes\n" * 60 + "high,yes\n" * 50 + "medium,yes\n" * 8 + "low,yes\n" * 2 + \
    "very_high,no\n" * 10 + "high,no\n" * 40 + "medium,no\n" * 80 + "low,no\n" * 70 + "high,unknown\n" * 5


def run(*args: str) -> str:
    out = StringIO()
    call_command("validate", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_json_keys_the_issue_names(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(GOOD, encoding="utf-8")
    data = json.loads(run("--csv", str(path), "--json"))
    assert (data["n"], data["events"], data["excluded_unknown"]) == (320, 120, 5)
    assert len(data["auc_ci"]) == 2 and data["auc_ci"][0] < data["auc"] < data["auc_ci"][1]
    assert data["sensitivity_high_or_very_high"][0] == pytest.approx(110 / 120, abs=1e-4)
    assert data["specificity_low_or_medium"][0] == pytest.approx(150 / 200, abs=1e-4)
    assert len(data["sensitivity_high_or_very_high"]) == 3 and not data["too_small_to_judge"]


def test_it_prints_a_readable_report(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(GOOD, encoding="utf-8")
    text = run("--csv", str(path))
    assert "AUC" in text and "DeLong 95%" in text and "5 excluded (outcome unknown)" in text


def test_a_bad_file_gets_the_row_and_field_and_exit_status_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("score,outcome\n1,no\nlots,yes\n", encoding="utf-8")
    with pytest.raises(CommandError, match="row 3, field 'score': 'lots' is not a number") as caught:
        run("--csv", str(path))
    assert caught.value.returncode == 2


def test_a_missing_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file"):
        run("--csv", str(tmp_path / "nope.csv"))


def test_it_takes_an_instruments_own_bands(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text("band,outcome\nurgent,yes\nroutine,no\npriority,yes\nroutine,yes\n", encoding="utf-8")
    data = json.loads(run("--csv", str(path), "--bands", "routine,priority,urgent", "--flag-from", "priority", "--json"))
    assert data["sensitivity_high_or_very_high"][0] == pytest.approx(2 / 3, abs=1e-4)


def test_it_works_with_no_database_at_all(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(GOOD, encoding="utf-8")
    env = os.environ | {"DATABASE_URL": "postgres://nobody@127.0.0.1:1/absent", "WINNOW_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "winnow", "validate", "--csv", str(path), "--json"],  # noqa: S603
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["n"] == 320
