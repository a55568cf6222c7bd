"""`winnow backup` and `winnow restore`: a round trip into an empty database and an empty data directory, after
which `winnow audit-verify` passes; a backup that lacks a file says which and restores nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from winnow.audit.backup import _sha256
from winnow.audit.chain import checkpoint_write


def _winnow(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own CLI)
        [sys.executable, "-m", "winnow", *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def empty_target(tmp_path: Path) -> Any:
    """The environment of a new installation: an empty database and an empty data directory."""
    data = tmp_path / "restored-data"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)} | {
        "WINNOW_DATA_DIR": str(data), "WINNOW_AUDIT_CHECKPOINT_PATH": str(data / "audit-checkpoints.jsonl")}
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        name = f"{s['NAME']}_restored"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT'] or 5432}/{name}"
        yield env
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        yield env


@pytest.fixture
def committed(transactional_db: Any) -> Any:
    """A committed database (a subprocess reads it); on SQLite the guards are lifted for Django's flush after,
    as the live_db fixture does (the flush's post_migrate puts them back)."""
    from winnow import permanence

    yield
    if connection.vendor == "sqlite":
        permanence.uninstall(connection)


@pytest.fixture
def backed_up(committed: Any, referral: Any, settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    scan = settings.DATA_DIR / "scan-results" / "ab" / "fictional-scan.sqlite3"
    scan.parent.mkdir(parents=True)
    scan.write_bytes(b"a fictional stored scan result\n" * 100)
    checkpoint_write()
    dest = tmp_path / "backup"
    out = StringIO()
    call_command("backup", str(dest), stdout=out)
    assert "manifest.json lists their SHA-256s" in out.getvalue()
    return dest


def test_it_round_trips_into_an_empty_database_and_directory(backed_up: Path, empty_target: dict[str, str]) -> None:
    restored = _winnow(empty_target, "restore", str(backed_up))
    assert restored.returncode == 0, restored.stderr
    verified = _winnow(empty_target, "audit-verify")
    assert verified.returncode == 0, verified.stderr
    # The referral's two events, and the checkpoints (after the first commit, and the fixture's) restored with them.
    assert "audit trail intact: 2 events verified in 1 shard(s) against 2 checkpoint(s)" in verified.stdout
    scan = Path(empty_target["WINNOW_DATA_DIR"]) / "scan-results" / "ab" / "fictional-scan.sqlite3"
    assert _sha256(scan) == _sha256(backed_up / "files" / "scan-results" / "ab" / "fictional-scan.sqlite3")
    referrals = _winnow(empty_target, "verify-referrals")
    assert referrals.returncode == 0 and "1 referrals checked" in referrals.stdout, referrals.stderr
    again = _winnow(empty_target, "restore", str(backed_up))
    assert again.returncode != 0 and "restore needs an empty database" in again.stderr


def test_it_names_a_missing_or_changed_file_and_restores_nothing(
    backed_up: Path, empty_target: dict[str, str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(backed_up, broken)
    (broken / "files" / "scan-results" / "ab" / "fictional-scan.sqlite3").unlink()
    (broken / "audit-checkpoints.jsonl").write_text("{}\n")
    result = _winnow(empty_target, "restore", str(broken))
    assert result.returncode != 0
    assert "files/scan-results/ab/fictional-scan.sqlite3: missing" in result.stderr
    assert "audit-checkpoints.jsonl: its SHA-256 differs from the manifest" in result.stderr
    assert not Path(empty_target["WINNOW_DATA_DIR"]).exists()
    verified = _winnow(empty_target, "audit-verify")
    assert verified.returncode != 0  # still an empty database: nothing was restored


def _source_env(settings: Any, backups: Path) -> dict[str, str]:
    """The environment of the installation the test database is: its database, data directory and checkpoints."""
    s = connection.settings_dict
    url = (f"postgres://{s['USER']}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}" if connection.vendor == "postgresql"
           else f"sqlite:///{s['NAME']}")
    return {k: v for k, v in os.environ.items()} | {
        "DATABASE_URL": url, "WINNOW_DATA_DIR": str(settings.DATA_DIR), "WINNOW_BACKUP_DIR": str(backups),
        "WINNOW_AUDIT_CHECKPOINT_PATH": str(settings.WINNOW_AUDIT_CHECKPOINT_PATH)}


def test_winnow_backup_and_winnow_restore_need_no_directory(
    backed_up: Path, empty_target: dict[str, str], settings: Any, tmp_path: Path
) -> None:
    """As the issue writes them: `winnow backup` makes a dated directory under WINNOW_BACKUP_DIR and prints it;
    `winnow restore` restores the newest there; `winnow audit-verify` then passes."""
    backups = tmp_path / "backups"
    made = _winnow(_source_env(settings, backups), "backup")
    assert made.returncode == 0, made.stderr
    (written,) = backups.iterdir()
    assert len(written.name) == len("20261202T061500Z") and written.name.endswith("Z")
    assert f"backup written to {written}:" in made.stdout and (written / "manifest.json").is_file()
    restored = _winnow(empty_target | {"WINNOW_BACKUP_DIR": str(backups)}, "restore")
    assert restored.returncode == 0, restored.stderr
    assert f"restoring {written}\n" in restored.stdout
    verified = _winnow(empty_target, "audit-verify")
    assert verified.returncode == 0 and "audit trail intact" in verified.stdout, verified.stderr


def test_winnow_restore_takes_a_backup_by_name_and_lists_them(
    committed: Any, referral: Any, empty_target: dict[str, str], settings: Any, tmp_path: Path
) -> None:
    from winnow.audit.backup import backup_create

    backups = tmp_path / "backups"
    settings.WINNOW_BACKUP_DIR = backups
    settings.DATA_DIR = tmp_path / "data"
    checkpoint_write()
    older = backup_create(backups / "20261201T090000Z").path
    (settings.DATA_DIR / "scan-results" / "cd").mkdir(parents=True)
    (settings.DATA_DIR / "scan-results" / "cd" / "later.sqlite3").write_bytes(b"a fictional later scan\n")
    newer = backup_create(backups / "20261202T090000Z").path
    target = empty_target | {"WINNOW_BACKUP_DIR": str(backups)}
    listed = _winnow(target, "restore", "--list")
    assert listed.stdout.splitlines() == [older.name, newer.name, f"2 backup(s) in {backups}"], listed.stderr
    restored = _winnow(target, "restore", older.name)
    assert restored.returncode == 0 and f"restoring {older}\n" in restored.stdout, restored.stderr
    assert not (Path(target["WINNOW_DATA_DIR"]) / "scan-results" / "cd").exists()  # the older one, not the newest


def test_winnow_restore_says_when_there_is_no_backup(committed: Any, empty_target: dict[str, str],
                                                     tmp_path: Path) -> None:
    result = _winnow(empty_target | {"WINNOW_BACKUP_DIR": str(tmp_path / "none")}, "restore")
    assert result.returncode != 0 and f"no backup in {tmp_path / 'none'} (WINNOW_BACKUP_DIR)" in result.stderr
    named = _winnow(empty_target | {"WINNOW_BACKUP_DIR": str(tmp_path / "none")}, "restore", "20260101T000000Z")
    assert named.returncode != 0 and "20260101T000000Z: no such backup" in named.stderr
