"""`winnow backup` / `winnow restore`: the database, the stored files and the audit checkpoints, with a manifest.

A backup is a directory (by default a new one under WINNOW_BACKUP_DIR named by the UTC time, e.g.
var/backups/20261202T061500Z; `winnow restore` with no argument restores the newest there):

    manifest.json          every file below with its size and SHA-256, signed (HMAC) with the checkpoint key
    database.dump          PostgreSQL: `pg_dump --format=custom` / database.sqlite3: SQLite's online backup
    files/...              WINNOW_DATA_DIR's stored files (scan results, uploads handed to the worker), as they are
    audit-checkpoints.jsonl

Restore checks the manifest first (every file present, every SHA-256 right, the signature) and names each file
that is missing or differs, writing nothing; it then needs an empty database (no tables) and an empty data
directory, so it never overwrites a live installation. PostgreSQL restores with `pg_restore --no-owner
--no-privileges`: run `winnow db-roles --apply` after it. `winnow audit-verify` afterwards checks the restored
trail against the restored checkpoints.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

from .chain import checkpoint_key, checkpoint_path

MANIFEST = "manifest.json"
# What of WINNOW_DATA_DIR is Winnow's stored data (not the SQLite database itself, not collected static files).
STORED_DIRS = ("scan-results", "uploads")  # uploads: the files of upload jobs (winnow.worker.jobs)


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says which file or what and why."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sign(body: dict[str, Any]) -> str:
    return hmac.new(checkpoint_key(), json.dumps(body, sort_keys=True).encode(), hashlib.sha256).hexdigest()


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"),
                     ("NAME", "PGDATABASE")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    return env


def _dump_database(dest: Path, using: str) -> str:
    connection = connections[using]
    if connection.vendor == "postgresql":
        name = "database.dump"
        subprocess.run(["pg_dump", "--format=custom", "--file", str(dest / name)],  # noqa: S603,S607 (fixed argv)
                       env=_pg_env(connection.settings_dict), check=True, capture_output=True, timeout=24 * 3600)
        return name
    name = "database.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(dest / name)
    try:
        connection.connection.backup(target)  # SQLite's online backup: a consistent copy while others write
    finally:
        target.close()
    return name


@dataclass
class BackupResult:
    path: Path
    files: int
    bytes: int


def backup_create(dest: Path, *, using: str = "default") -> BackupResult:
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty: a backup goes into a new or empty directory")
    dest.mkdir(parents=True, exist_ok=True)
    try:
        database = _dump_database(dest, using)
    except subprocess.CalledProcessError as error:
        raise BackupError(f"pg_dump failed: {error.stderr.decode(errors='replace')[:500]}") from None
    data_dir = Path(settings.DATA_DIR)
    for name in STORED_DIRS:
        if (data_dir / name).is_dir():
            shutil.copytree(data_dir / name, dest / "files" / name)
    if checkpoint_path().exists():
        shutil.copy2(checkpoint_path(), dest / "audit-checkpoints.jsonl")
    files: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in dest.rglob("*") if p.is_file()):
        relative = path.relative_to(dest).as_posix()
        files[relative] = {"size": path.stat().st_size, "sha256": _sha256(path)}
    body = {"format": 1, "created_at": datetime.now(UTC).isoformat(), "vendor": connections[using].vendor,
            "database": database, "files": files}
    (dest / MANIFEST).write_text(json.dumps(body | {"signature": _sign(body)}, indent=2, sort_keys=True))
    return BackupResult(dest, len(files), sum(int(f["size"]) for f in files.values()))


STAMP = "%Y%m%dT%H%M%SZ"  # a backup's directory name under WINNOW_BACKUP_DIR: sorts by time


def backup_default_dest(now: datetime | None = None) -> Path:
    """A new directory under WINNOW_BACKUP_DIR named by the UTC time (a suffix when one second holds two)."""
    base = Path(settings.WINNOW_BACKUP_DIR)
    name = (now or datetime.now(UTC)).strftime(STAMP)
    dest, n = base / name, 1
    while dest.exists():
        n += 1
        dest = base / f"{name}-{n}"
    return dest


def backups_available() -> list[Path]:
    """The backups under WINNOW_BACKUP_DIR (directories holding a manifest), oldest first."""
    base = Path(settings.WINNOW_BACKUP_DIR)
    if not base.is_dir():
        return []
    return sorted((p for p in base.iterdir() if (p / MANIFEST).is_file()), key=lambda p: p.name)


def backup_source(name: str | None) -> Path:
    """What `winnow restore [NAME]` restores: the newest backup under WINNOW_BACKUP_DIR when no name is given; a
    name there (as `winnow backup` printed it); or any backup directory's path."""
    base = Path(settings.WINNOW_BACKUP_DIR)
    if name is None:
        found = backups_available()
        if not found:
            raise BackupError(f"no backup in {base} (WINNOW_BACKUP_DIR): name one, `winnow restore DIR`")
        return found[-1]
    if (base / name / MANIFEST).is_file() and os.sep not in name:
        return base / name
    path = Path(name)
    if not path.is_dir():
        raise BackupError(f"{name}: no such backup (neither a directory nor a backup in {base})")
    return path


def backup_check(source: Path) -> dict[str, Any]:
    """The manifest, once every file it lists is present with its size and SHA-256 and its signature holds;
    BackupError naming every file that is missing or differs otherwise."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text())
        body = {k: v for k, v in manifest.items() if k != "signature"}
        files = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{source / MANIFEST}: not a Winnow backup manifest ({error})") from None
    if not hmac.compare_digest(_sign(body), str(manifest.get("signature", ""))):
        raise BackupError(f"{source / MANIFEST}: its signature does not match (edited, or another checkpoint key)")
    problems = []
    for name, entry in sorted(files.items()):
        path = source / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif path.stat().st_size != entry["size"] or _sha256(path) != entry["sha256"]:
            problems.append(f"{name}: its SHA-256 differs from the manifest")
    if problems:
        raise BackupError(f"backup {source} is incomplete; nothing restored: " + "; ".join(problems))
    return dict(manifest)


def _refuse_non_empty_target(using: str) -> None:
    connection = connections[using]
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(f"the database already has {len(tables)} tables: restore needs an empty database")
    data_dir = Path(settings.DATA_DIR)
    present = [name for name in STORED_DIRS if (data_dir / name).exists() and any((data_dir / name).iterdir())]
    if present:
        raise BackupError(f"{data_dir / present[0]} is not empty: restore needs an empty data directory")
    if checkpoint_path().exists() and checkpoint_path().stat().st_size:
        raise BackupError(f"{checkpoint_path()} already holds checkpoints: restore never overwrites them")


def backup_restore(source: Path, *, using: str = "default") -> dict[str, Any]:
    source = Path(source)
    manifest = backup_check(source)
    connection = connections[using]
    if manifest["vendor"] != connection.vendor:
        raise BackupError(f"the backup is of a {manifest['vendor']} database; DATABASE_URL names {connection.vendor}")
    _refuse_non_empty_target(using)
    if connection.vendor == "postgresql":
        try:
            subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",  # noqa: S603,S607
                            "--dbname", connection.settings_dict["NAME"], str(source / manifest["database"])],
                           env=_pg_env(connection.settings_dict), check=True, capture_output=True, timeout=24 * 3600)
        except subprocess.CalledProcessError as error:
            raise BackupError(f"pg_restore failed: {error.stderr.decode(errors='replace')[:500]}") from None
    else:
        connection.ensure_connection()
        backup = sqlite3.connect(source / manifest["database"])
        try:
            backup.backup(connection.connection)
        finally:
            backup.close()
    data_dir = Path(settings.DATA_DIR)
    for name in STORED_DIRS:
        if (source / "files" / name).is_dir():
            shutil.copytree(source / "files" / name, data_dir / name, dirs_exist_ok=True)
    if (source / "audit-checkpoints.jsonl").is_file():
        checkpoint_path().parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / "audit-checkpoints.jsonl", checkpoint_path())
    return manifest
