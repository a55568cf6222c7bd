"""Plain CSV hash lists (md5 / sha1 / sha256 / pdq columns plus a category) and NSRL RDS v2 `NSRLFile.txt`.

Plain CSV: a header row names the columns (case and punctuation ignored: "MD5", "sha-1", "SHA_1", "Category",
"cat", "grade"); the delimiter is whichever of , ; tab | the header uses most. A file whose first line is a bare
hash is read as a header-less list, one hash per line, its kind taken from its length (32 MD5, 40 SHA-1,
64 PDQ). Positions are physical line numbers.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from .base import HashSetParse
from .records import (
    EntryError,
    HashingReader,
    HashRecord,
    hex_hash,
    shown,
    tolerant_bool,
    tolerant_int,
    tolerant_text,
)
from .schemes import CategoryScheme, normalise_raw_code

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

_ALIASES = {
    "md5": "md5",
    "md5hash": "md5",
    "sha1": "sha1",
    "sha1hash": "sha1",
    "sha256": "sha256",
    "pdq": "pdq",
    "pdqhash": "pdq",
    "category": "category",
    "cat": "category",
    "grade": "category",
    "series": "series",
    "victimidentified": "victim_identified",
    "filename": "file_name",
    "name": "file_name",
    "filesize": "size",
    "size": "size",
}
_BARE_HASH = re.compile(r"^\s*(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64})\s*$")


def _column_key(name: str) -> str:
    return re.sub(r"[\s_\-\"']", "", name).lower()


class _TextSource:
    """Binary file -> SHA-256 while reading -> BOM-less text lines."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.reader = HashingReader(self.raw)
        self.text = io.TextIOWrapper(
            io.BufferedReader(self.reader, 1 << 20), encoding="utf-8", errors="replace", newline=""
        )

    def close(self) -> None:
        self.raw.close()


class CsvParse(HashSetParse):
    format = "csv"

    def __init__(self, path: str | Path, scheme: CategoryScheme | None, **kw: Any) -> None:
        super().__init__(path, scheme, **kw)
        self._source: _TextSource | None = None

    def _entries(self) -> Iterator[tuple[int, str, Any]]:
        src = self._source = _TextSource(self.open_binary())
        try:
            first = src.text.readline()
            if not first.strip():
                raise self.error("line 1", "empty file or empty first line: expected a header row")
            if _BARE_HASH.match(first):
                yield from self._bare(first, src)
                return
            delimiter = max(",;\t|", key=first.count)
            header = next(csv.reader([first], delimiter=delimiter))
            columns: dict[int, str] = {}
            for i, name in enumerate(header):
                key = _ALIASES.get(_column_key(name))
                if key and key not in columns.values():
                    columns[i] = key
            if not {"md5", "sha1", "sha256", "pdq"} & set(columns.values()):
                raise self.error("line 1", f"no md5, sha1, sha256 or pdq column in header {shown(header)}")
            if "category" in columns.values() and self.scheme is None:
                raise self.error("line 1", "the file has a category column but no category scheme was given")
            reader = csv.reader(src.text, delimiter=delimiter)
            reader_line = 1
            for row in reader:
                line = reader_line + 1  # first physical line of this record
                reader_line = reader.line_num + 1
                if not row or all(not c.strip() for c in row):
                    continue
                yield line, f"line {line}", {columns[i]: v for i, v in enumerate(row) if i in columns}
            src.reader.drain()
        except csv.Error as exc:
            raise self.error("line ?", f"malformed CSV ({exc})") from None
        finally:
            self.report.sha256 = src.reader.hexdigest()
            self.report.size_bytes = src.reader.bytes_read
            src.close()

    def _bare(self, first: str, src: _TextSource) -> Iterator[tuple[int, str, Any]]:
        kinds = {32: "md5", 40: "sha1", 64: "pdq"}
        for line, text in enumerate([first, *src.text], start=1):
            value = text.strip()
            if not value:
                continue
            kind = kinds.get(len(value))
            if kind is None:
                yield line, f"line {line}", {"_bad": value}
            else:
                yield line, f"line {line}", {kind: value}
        src.reader.drain()

    def _convert(self, position: int, raw: Any) -> HashRecord:
        if "_bad" in raw:
            raise EntryError(f"{shown(raw['_bad'])} is not an MD5, SHA-1 or PDQ hash")
        cat = raw.get("category")
        return HashRecord(
            position=position,
            md5=hex_hash(raw.get("md5"), "MD5"),
            sha1=hex_hash(raw.get("sha1"), "SHA-1"),
            sha256=hex_hash(raw.get("sha256"), "SHA-256"),
            pdq=hex_hash(raw.get("pdq"), "PDQ"),
            category=self.map_category(cat),
            raw_category=normalise_raw_code(cat),
            series=tolerant_text(raw.get("series")),
            victim_identified=tolerant_bool(raw.get("victim_identified"), "victim_identified"),
            file_name=tolerant_text(raw.get("file_name")),
            size=tolerant_int(raw.get("size"), "size"),
        )


class NsrlTextParse(HashSetParse):
    """NSRL RDS v2 `NSRLFile.txt`: quoted CSV, header "SHA-1","MD5","CRC32","FileName","FileSize",...

    NSRL means known, not known good: the records carry no category; the matcher labels hits
    "known non-pertinent" (set aside), and a hit in a reference set always wins over an NSRL hit."""

    format = "nsrl-rds2"
    kind = "known-files"

    def _entries(self) -> Iterator[tuple[int, str, Any]]:
        src = _TextSource(self.open_binary())
        try:
            reader = csv.reader(src.text)
            try:
                header = next(reader)
            except StopIteration:
                raise self.error("line 1", "empty file") from None
            names = [h.strip().upper() for h in header]
            if "SHA-1" not in names or "MD5" not in names:
                raise self.error("line 1", f"not an NSRL RDS v2 file: header {shown(header)} lacks SHA-1 and MD5")
            i_sha1, i_md5 = names.index("SHA-1"), names.index("MD5")
            i_name = names.index("FILENAME") if "FILENAME" in names else None
            i_size = names.index("FILESIZE") if "FILESIZE" in names else None
            width = len(names)
            for row in reader:
                line = reader.line_num
                if not row:
                    continue
                if len(row) < width:
                    yield line, f"line {line}", None
                    continue
                yield (
                    line,
                    f"line {line}",
                    (
                        row[i_sha1],
                        row[i_md5],
                        row[i_name] if i_name is not None else None,
                        row[i_size] if i_size is not None else None,
                    ),
                )
            src.reader.drain()
        except csv.Error as exc:
            raise self.error("line ?", f"malformed CSV ({exc})") from None
        finally:
            self.report.sha256 = src.reader.hexdigest()
            self.report.size_bytes = src.reader.bytes_read
            src.close()

    def _convert(self, position: int, raw: Any) -> HashRecord:
        if raw is None:
            raise EntryError("too few columns")
        sha1, md5, name, size = raw
        return HashRecord(
            position=position,
            sha1=hex_hash(sha1, "SHA-1"),
            md5=hex_hash(md5, "MD5"),
            file_name=tolerant_text(name),
            size=tolerant_int(size, "FileSize"),
        )
