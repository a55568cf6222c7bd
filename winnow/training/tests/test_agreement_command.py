"""`winnow agreement FILE [--json]`: works without a database; a bad file exits 2 with the row named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ratings.csv"
    path.write_text(text, encoding="utf-8")
    return path


RATINGS = "case,rater,item,value\n" + "".join(
    f"v{c},r{r},grooming,{'yes' if (c + (r == 2 and c == 1)) % 2 else 'no'}\n"
    f"v{c},r{r},total,{c * 3 + r % 2}\n"
    for c in range(6) for r in range(3))


def test_it_prints_json_with_kappa_alpha_agreement_and_icc(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("agreement", str(_write(tmp_path, RATINGS)), "--json")
    data = json.loads(capsys.readouterr().out)
    grooming, total = data["items"]["grooming"], data["items"]["total"]
    assert 0 < grooming["fleiss_kappa"] < 1 and 0 < grooming["percent_agreement"] < 1
    assert grooming["krippendorff_alpha"] is not None
    assert total["icc2_1"] > 0.9 and len(total["icc2_1_ci"]) == 2


def test_it_prints_a_readable_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("agreement", str(_write(tmp_path, RATINGS)))
    out = capsys.readouterr().out
    assert "Fleiss' kappa" in out and "ICC(2,1)" in out and "95%" in out


def test_a_bad_file_is_refused_with_its_row_and_exit_status_2(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="row 3, field 'value': empty") as caught:
        call_command("agreement", str(_write(tmp_path, "case,rater,item,value\nv1,a,band,low\nv1,b,band,\n")))
    assert caught.value.returncode == 2


def test_a_missing_file_is_refused_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file"):
        call_command("agreement", str(tmp_path / "nope.csv"))
