"""`winnow scan PATH --out RESULT [--workers N] [--no-pdq]`: the entry point the `winnow` command wires in."""

from __future__ import annotations

import os
import subprocess
import sys

from winnow.core.scanning import read_rows, synthetic
from winnow.core.scanning.cli import main


def _tree(tmp_path):
    root = tmp_path / "ev"
    root.mkdir()
    (root / "a.jpg").write_bytes(synthetic.jpeg_bytes(synthetic.scene((320, 240), 1)))
    (root / "b.txt").write_text("hello")
    return root


def test_scan_command(tmp_path, capsys):
    root = _tree(tmp_path)
    out = tmp_path / "r.sqlite"
    assert main([str(root), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    rows = {r["path"]: r for r in read_rows(out)}
    assert rows[b"a.jpg"]["pdq_status"] == "ok" and rows[b"b.txt"]["media_type"] == "other"
    err = capsys.readouterr().err
    assert "2 files" in err and "1 images" in err and "problems 0" in err
    # rerun: resumes, hashes nothing; a leading "scan" sub-command word is accepted
    assert main(["scan", str(root), "--out", str(out), "--no-pdq", "--quiet"]) == 0
    assert "hashed this run 0, already recorded 2" in capsys.readouterr().err


def test_no_pdq(tmp_path):
    root = _tree(tmp_path)
    out = tmp_path / "r.sqlite"
    assert main([str(root), "--out", str(out), "--no-pdq", "--quiet"]) == 0
    assert {r["pdq_status"] for r in read_rows(out)} == {"disabled", None}


def test_usage_and_failures(tmp_path, capsys):
    assert main([]) == 2
    assert main([str(tmp_path)]) == 2  # --out is required
    assert main([str(tmp_path), "--out", str(tmp_path / "r"), "--workers", "0"]) == 2
    assert main([str(tmp_path / "missing"), "--out", str(tmp_path / "r.sqlite"), "--quiet"]) == 1
    assert "is not a directory" in capsys.readouterr().err
    assert main(["--help"]) == 0


def test_progress_bar_renders(tmp_path, capsys):
    root = _tree(tmp_path)
    assert main([str(root), "--out", str(tmp_path / "r.sqlite"), "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert "files" in err and "ETA" in err


def test_the_scanner_never_imports_django(tmp_path):
    root = _tree(tmp_path)
    code = (
        "import sys\n"
        "from winnow.core.scanning.cli import main\n"
        f"rc = main([{str(root)!r}, '--out', {str(tmp_path / 'r.sqlite')!r}, '--quiet', '--workers', '1'])\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'ninja'))\n"
        "assert rc == 0 and not bad, (rc, bad)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)  # noqa: S603
    subprocess.run(
        [sys.executable, "-m", "winnow.core.scanning", "--help"],
        check=True,
        env=env,
        timeout=60,  # noqa: S603
        stdout=subprocess.DEVNULL,
    )
