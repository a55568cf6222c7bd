"""NSRL RDS v3: an SQLite database whose `FILE` view has sha256, sha1, md5, crc32, file_name, file_size,
package_id (formats.md §3). Opened read-only and immutable (no journal files appear next to it); rows stream
from the cursor. The v2 text format lives in csvsets.py (it is CSV)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from .base import HashSetParse
from .records import EntryError, HashRecord, hex_hash, sha256_file, shown, tolerant_int, tolerant_text

SQLITE_MAGIC = b"SQLite format 3\x00"


class NsrlSqliteParse(HashSetParse):
    format = "nsrl-rds3"
    kind = "known-files"

    def _entries(self) -> Iterator[tuple[int, str, Any]]:
        # The digest first: the database is opened immutable, so what we hash is what we read.
        try:
            self.report.sha256, self.report.size_bytes = sha256_file(self.path)
        except OSError as exc:
            raise self.error("open", f"cannot read ({exc.strerror or exc})") from None
        uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
        try:
            con = sqlite3.connect(uri, uri=True)
        except sqlite3.Error as exc:
            raise self.error("open", f"cannot open as SQLite ({exc})") from None
        try:
            try:
                names = {
                    str(r[0]).lower()
                    for r in con.execute("SELECT name FROM sqlite_master WHERE type IN ('view', 'table')")
                }
            except sqlite3.DatabaseError as exc:
                raise self.error("open", f"not an SQLite database ({exc})") from None
            if "file" not in names:
                raise self.error("schema", "not an NSRL RDS v3 database: no FILE view")
            cols = {str(r[1]).lower() for r in con.execute("PRAGMA table_info(FILE)")}
            if not {"sha1", "md5"} <= cols:
                raise self.error("schema", f"FILE view lacks sha1/md5 columns (has {sorted(cols)})")
            sel = [c if c in cols else "NULL" for c in ("sha256", "sha1", "md5", "file_name", "file_size")]
            cursor = con.execute(f"SELECT {', '.join(sel)} FROM FILE")  # noqa: S608 - fixed column names
            row_no = 0
            try:
                for row in cursor:
                    row_no += 1
                    yield row_no, f"FILE row {row_no}", row
            except sqlite3.DatabaseError as exc:
                raise self.error(f"FILE row {row_no + 1}", f"database error ({exc})") from None
        finally:
            con.close()

    def _convert(self, position: int, raw: Any) -> HashRecord:
        sha256, sha1, md5, name, size = raw
        for v in (sha256, sha1, md5):
            if v is not None and not isinstance(v, str):
                raise EntryError(f"hash {shown(v)} is not text")
        return HashRecord(
            position=position,
            sha256=hex_hash(sha256, "SHA-256"),
            sha1=hex_hash(sha1, "SHA-1"),
            md5=hex_hash(md5, "MD5"),
            file_name=tolerant_text(name),
            size=tolerant_int(size, "file_size"),
        )
