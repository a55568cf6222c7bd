"""NSRL RDS v3: an SQLite database whose `FILE` view has sha256, sha1, md5, crc32, file_name, file_size,
package_id (formats.md §3). Opened read-only and immutable (no journal files appear next to it); rows stream
from the cursor. The v2 text format lives in csvsets.py (it is CSV)."""

from __future__ import annotations

import sqlite3
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .base import HashSetParse
from .csvsets import NsrlTextParse, _TextSource
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


ZIP_MAGIC = b"PK\x03\x04"
NSRL_MEMBER = "nsrlfile.txt"
MAX_ZIP_RATIO = 200.0  # NSRLFile.txt deflates about 3-5x; a zip bomb 1000x or more


def nsrl_zip_member(path: str | Path) -> tuple[zipfile.ZipInfo | None, list[str]]:
    """The NSRLFile.txt member of a zip (any folder, any case), and the names the zip holds (to say what it is).
    Raises zipfile.BadZipFile for a file that is not a readable zip."""
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    found = [i for i in infos if i.filename.replace("\\", "/").rsplit("/", 1)[-1].lower() == NSRL_MEMBER]
    return (found[0] if len(found) == 1 else None), names


class NsrlZipParse(NsrlTextParse):
    """NSRL RDS v2 as NIST ships it: `NSRLFile.txt.zip` (or the RDS zip holding NSRLFile.txt with NSRLMfg.txt,
    NSRLOS.txt, NSRLProd.txt). The member is streamed, never extracted; the set's SHA-256 is of the zip, which is
    the file received. Checked from the directory before inflating: one NSRLFile.txt, not encrypted, a declared
    compression ratio a text file can have (a zip bomb cannot)."""

    format = "nsrl-rds2-zip"

    def _open_source(self) -> _TextSource:
        try:
            self._zip_sha256, self._zip_size = sha256_file(self.path)
            member, names = nsrl_zip_member(self.path)
        except OSError as exc:
            raise self.error("open", f"cannot read ({exc.strerror or exc})") from None
        except zipfile.BadZipFile as exc:
            raise self.error("open", f"not a readable zip ({exc})") from None
        if member is None:
            shown = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
            raise self.error("zip", f"this is a zip without exactly one NSRLFile.txt (it holds {shown or 'nothing'}): "
                                    "Winnow reads a zip only as NSRL RDS v2; unzip it and import the list inside")
        if member.flag_bits & 0x1:
            raise self.error(member.filename, "the zip member is encrypted")
        if member.compress_size and member.file_size > 1 << 20 and (
            member.file_size / member.compress_size > MAX_ZIP_RATIO
        ):
            raise self.error(member.filename, f"declares a {member.file_size / member.compress_size:,.0f}x "
                                              f"compression ratio (at most {MAX_ZIP_RATIO:g}x): refused as a zip bomb")
        archive = zipfile.ZipFile(self.path)  # noqa: SIM115 - closed with the member stream
        stream = archive.open(member)
        self._archive = archive
        return _TextSource(stream)  # type: ignore[arg-type]

    def _entries(self) -> Iterator[tuple[int, str, Any]]:
        try:
            yield from super()._entries()
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise self.error("zip", f"the zip member is damaged ({exc})") from None
        finally:
            archive = getattr(self, "_archive", None)
            if archive is not None:
                archive.close()

    def _record_digest(self, src: _TextSource) -> None:
        self.report.sha256 = self._zip_sha256
        self.report.size_bytes = self._zip_size
