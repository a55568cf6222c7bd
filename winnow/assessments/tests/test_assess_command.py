"""`winnow assess INSTRUMENT.yaml ANSWERS.csv` prints band and explanation per row; its exit code says if all matched."""

from __future__ import annotations

import subprocess  # noqa: S404
import sys
from pathlib import Path

from django.conf import settings

PHASED = Path(settings.WINNOW_INSTRUMENTS_DIR) / "phased-prioritisation.yaml"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "winnow", "assess", *args], capture_output=True, text=True,
        check=False, timeout=60)


def test_it_scores_each_row_and_exits_0_when_all_are_as_expected(tmp_path: Path) -> None:
    answers = tmp_path / "cases.csv"
    answers.write_text("_label,_expected,prior_contact_offence\ncontact,very_high,yes\n")
    done = _run(str(PHASED), str(answers))
    assert done.returncode == 0, done.stderr
    assert "Row 2 (contact): Winnow phased prioritisation aid (not KIRAT) 0.2.0: Very High" in done.stdout
    assert "NOT KIRAT" in done.stdout


def test_it_exits_1_on_a_mismatch_or_a_bad_cell(tmp_path: Path) -> None:
    answers = tmp_path / "cases.csv"
    answers.write_text("_expected,prior_contact_offence\nlow,yes\n,perhaps\n")
    done = _run(str(PHASED), str(answers))
    assert done.returncode == 1
    assert "MISMATCH: expected low, got Very High" in done.stdout
    assert "row 3, column 'prior_contact_offence'" in done.stdout


def test_it_exits_2_naming_file_and_line_for_a_broken_instrument(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\nversion: [\n")
    answers = tmp_path / "cases.csv"
    answers.write_text("a\nyes\n")
    done = _run(str(broken), str(answers))
    assert done.returncode == 2
    assert f"{broken}:" in done.stderr
