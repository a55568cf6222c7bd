"""The scan result: ONE SQLite file (stdlib sqlite3), readable by anything that reads SQLite.

Tables:
  meta   key/value facts about the scan (format, schema version, root, start/finish, settings, the EXIF rule)
  runs   one row per invocation (a resumed scan has several), with how many files each run hashed
  files  one row per entry found: regular files, and symlinks / special files / unlistable directories with the
         reason they were not read. `path` is the exact bytes of the path relative to the scanned root
         (os.fsencode, so names that are not UTF-8 survive); `path_display` is a readable UTF-8 form.

Crash safety: WAL journal, rows committed in batches (every COMMIT_ROWS rows or COMMIT_SECONDS seconds). A scan
killed at any moment, even with SIGKILL, loses at most the uncommitted batch; rerunning with the same --out
skips every file already recorded with its hashes (same size and mtime) instead of hashing it again.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = "winnow-scan"
SCHEMA_VERSION = 1
COMMIT_ROWS = 500
COMMIT_SECONDS = 1.0

FILE_COLUMNS = (
    "path", "path_display", "entry_type", "size", "mtime_ns", "media_type", "mime", "md5", "sha1",
    "pdq", "pdq_quality", "pdq_oriented", "pdq_status", "vpdq", "width", "height",
    "exif_make", "exif_model", "exif_datetime_original", "exif_datetime", "exif_gps", "exif_orientation",
    "error", "note", "run_id", "hashed_at",
)  # fmt: skip
# Columns added since schema version 1: written when present, never required of a result file (an older scanner's
# file stays readable; a resumed older file gains them).
OPTIONAL_COLUMNS = ("pdq_dihedral", "sha256")
WRITTEN_COLUMNS = FILE_COLUMNS + OPTIONAL_COLUMNS

_INSERT = (
    f"INSERT OR REPLACE INTO files ({', '.join(WRITTEN_COLUMNS)}) VALUES ({', '.join('?' * len(WRITTEN_COLUMNS))})"  # noqa: S608
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running',     -- running | finished | failed (a killed run stays 'running')
    files_hashed INTEGER NOT NULL DEFAULT 0,
    files_skipped INTEGER NOT NULL DEFAULT 0     -- already recorded by an earlier run: not hashed again
);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    path BLOB NOT NULL UNIQUE,          -- exact bytes, relative to the scanned root
    path_display TEXT NOT NULL,         -- UTF-8; bytes that are not UTF-8 shown as \\xNN
    entry_type TEXT NOT NULL,           -- file | symlink | special | directory
    size INTEGER,
    mtime_ns INTEGER,
    media_type TEXT,                    -- image | video | other | empty, by content (magic bytes)
    mime TEXT,
    md5 TEXT,                           -- lower-case hex
    sha1 TEXT,
    sha256 TEXT,                        -- added after schema version 1 (older result files lack it)
    pdq TEXT,                           -- 64 hex digits, pixels as stored (EXIF orientation not applied)
    pdq_quality INTEGER,
    pdq_oriented TEXT,                  -- PDQ of the image as EXIF says it is displayed, when that differs
    pdq_dihedral TEXT,                  -- the other seven dihedral PDQs (rot90, rot180, rot270, flipX, flipY,
                                        -- flip+1, flip-1), comma-separated: finds rotated and mirrored copies
    pdq_status TEXT,                    -- ok | low-quality | error | pending | disabled | skipped
    vpdq TEXT,                          -- JSON [[frame, quality, hex, seconds], ...]
    width INTEGER,
    height INTEGER,
    exif_make TEXT,
    exif_model TEXT,
    exif_datetime_original TEXT,
    exif_datetime TEXT,
    exif_gps INTEGER,                   -- 1 when GPS data is present (coordinates are not recorded)
    exif_orientation INTEGER,
    error TEXT,                         -- why something could not be read, hashed or decoded
    note TEXT,
    run_id INTEGER REFERENCES runs(id), -- the run that hashed this file
    hashed_at TEXT
);
"""


class ResultFileError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class Recorded:
    size: int | None
    mtime_ns: int | None
    complete: bool  # hashes recorded
    pdq_pending: bool


class ResultStore:
    """Writer for a result file; single-threaded (the scanner's coordinating thread)."""

    def __init__(
        self, path: str | os.PathLike[str], *, root: bytes, started_at: str, settings: Mapping[str, Any]
    ):
        self.path = Path(path)
        existed = self.path.exists() and self.path.stat().st_size > 0
        self.con = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            self.con.execute("PRAGMA journal_mode=WAL")
            self.con.execute(
                "PRAGMA synchronous=NORMAL"
            )  # with WAL: safe against process death, even SIGKILL
            self.con.executescript(SCHEMA)
            present = {row[1] for row in self.con.execute("PRAGMA table_info(files)")}
            for column in OPTIONAL_COLUMNS:
                if column not in present:  # a result file from an older scanner, being resumed
                    self.con.execute(f"ALTER TABLE files ADD COLUMN {column} TEXT")
        except sqlite3.DatabaseError as exc:
            self.con.close()
            raise ResultFileError(f"{self.path} is not a Winnow scan result ({exc})") from None
        meta = self.meta()
        if existed and meta:
            if meta.get("format") != FORMAT:
                raise ResultFileError(f"{self.path} is not a Winnow scan result")
            if meta.get("root_hex") != root.hex():
                raise ResultFileError(
                    f"{self.path} holds a scan of {meta.get('root')!r}, not of {root.decode('utf-8', 'replace')!r};"
                    " use another --out"
                )
            self.resumed = True
        else:
            self.resumed = False
            self._set_meta(
                {
                    "format": FORMAT,
                    "schema_version": str(SCHEMA_VERSION),
                    "root": root.decode("utf-8", "backslashreplace"),
                    "root_hex": root.hex(),
                    "started_at": started_at,
                    **{k: v if isinstance(v, str) else json.dumps(v) for k, v in settings.items()},
                }
            )
        cur = self.con.execute("INSERT INTO runs (started_at) VALUES (?)", (started_at,))
        self.run_id = int(cur.lastrowid or 0)
        self._pending = 0
        self._rows: list[tuple[Any, ...]] = []
        self._last_commit = time.monotonic()
        self.con.execute("BEGIN")

    # ------------------------------------------------------------------ reading
    def meta(self) -> dict[str, str]:
        return {k: v for k, v in self.con.execute("SELECT key, value FROM meta")}

    def recorded(self) -> dict[bytes, Recorded]:
        """What earlier runs recorded, keyed by relative path."""
        out: dict[bytes, Recorded] = {}
        for path, size, mtime_ns, md5, entry_type, status in self.con.execute(
            "SELECT path, size, mtime_ns, md5, entry_type, pdq_status FROM files"
        ):
            out[bytes(path)] = Recorded(
                size, mtime_ns, md5 is not None or entry_type != "file", status == "pending"
            )
        return out

    # ------------------------------------------------------------------ writing
    def _set_meta(self, values: Mapping[str, str]) -> None:
        self.con.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", list(values.items()))

    def put(self, row: Mapping[str, Any]) -> None:
        """Insert or replace the row for row['path'] (buffered; written with executemany)."""
        self._rows.append(tuple(map(row.get, WRITTEN_COLUMNS)))
        if len(self._rows) >= 256:
            self._flush()
        self._tick()

    def _flush(self) -> None:
        if self._rows:
            self.con.executemany(_INSERT, self._rows)
            self._rows.clear()

    def update(self, path: bytes, values: Mapping[str, Any]) -> None:
        cols = [c for c in WRITTEN_COLUMNS if c in values and c != "path"]
        if not cols:
            return
        self._flush()
        self.con.execute(
            f"UPDATE files SET {', '.join(f'{c} = ?' for c in cols)} WHERE path = ?",  # noqa: S608
            [*(values[c] for c in cols), path],
        )
        self._tick()

    def _tick(self) -> None:
        self._pending += 1
        if self._pending >= COMMIT_ROWS or time.monotonic() - self._last_commit >= COMMIT_SECONDS:
            self.commit()

    def commit(self) -> None:
        self._flush()
        self.con.execute("COMMIT")
        self._pending = 0
        self._last_commit = time.monotonic()
        self.con.execute("BEGIN")

    def finish(
        self, *, finished_at: str, status: str, hashed: int, skipped: int, meta: Mapping[str, str]
    ) -> None:
        self._flush()
        self.con.execute(
            "UPDATE runs SET finished_at = ?, status = ?, files_hashed = ?, files_skipped = ? WHERE id = ?",
            (finished_at, status, hashed, skipped, self.run_id),
        )
        self._set_meta({"finished_at": finished_at, **meta})
        self.con.execute("COMMIT")
        self.con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.con.close()

    def abandon(self) -> None:
        """Commit what was done (an interrupted scan keeps its progress) and close."""
        try:
            self._flush()
            self.con.execute("COMMIT")
        except sqlite3.Error:
            pass  # nothing more can be saved; what was committed stays
        self.con.close()


# ---------------------------------------------------------------------------------------------------- reading


def read_rows(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Rows of a result file as dicts (path as bytes), in path order. Opens read-only."""
    con = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        for row in con.execute("SELECT * FROM files ORDER BY path"):
            d = dict(row)
            d["path"] = bytes(d["path"])
            yield d
    finally:
        con.close()


def read_meta(path: str | os.PathLike[str]) -> dict[str, str]:
    con = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {k: v for k, v in con.execute("SELECT key, value FROM meta")}
    finally:
        con.close()
