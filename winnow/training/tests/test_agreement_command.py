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


def test_json_is_exactly_items_and_stays_valid_json_for_extreme_scores(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    text = "case,rater,item,value\n" + "".join(
        f"v{c},r{r},total,{(c + 1) * 1e300 * (1 if r else -1)}\n" for c in range(4) for r in range(3))
    call_command("agreement", str(_write(tmp_path, text)), "--json")
    data = json.loads(capsys.readouterr().out)  # json.loads accepts NaN; the check below refuses it
    assert set(data) == {"items"}
    total = data["items"]["total"]
    assert isinstance(total["icc2_1"], float) and all(isinstance(v, float) for v in total["icc2_1_ci"])


@pytest.mark.parametrize(("content", "message"), [
    (b"", "the file is empty"),
    (b"\xef\xbb\xbfcase,rater,question,value\nv1,a,x,1\n", "row 1: the header must be exactly"),
    (b"case,rater,item,value\nv1,a,x,\x00\n", "NUL bytes"),
    (b"case,rater,item,value\nv1,Zo\xeb,x,a\n", "row 2: byte 27 is not UTF-8"),
    (b"case,rater,item,value\nv1,a,total,1e999\nv1,b,total,2\n", "row 2, field 'value': '1e999' is not a finite"),
])
def test_from_the_shell_a_bad_file_exits_2_with_one_line_and_no_traceback(tmp_path: Path, content: bytes,
                                                                          message: str) -> None:
    import subprocess
    import sys

    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    done = subprocess.run([sys.executable, "-m", "winnow.cli", "agreement", str(path), "--json"],  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2 and done.stdout == ""
    assert message in done.stderr and "Traceback" not in done.stderr
