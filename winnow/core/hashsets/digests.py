"""Hash lists written by digest tools: hashdeep, md5deep/sha1deep/sha256deep, md5sum/sha1sum/sha256sum.

Shapes, from the tools' documented output (hashdeep(1), md5deep(1), GNU coreutils md5sum):

- **hashdeep**: a `%%%% HASHDEEP-1.0` line, a `%%%% size,md5,sha256,filename` line naming the columns (any of
  size, md5, sha1 or sha-1, sha256 or sha-256, tiger, whirlpool, then filename, always last: hashdeep's FILEFORMAT), `##` comment lines (invocation, command
  line), then one comma-separated row per file. A file name may itself hold commas: it is the rest of the row.
- **md5deep family and md5sum family** (sha256deep and sha256sum write the same shapes): one line per file, `HASH  NAME` (two spaces), `HASH *NAME` (md5deep `-k`,
  md5sum `-b`: an asterisk instead of the second space), `SIZE  HASH  NAME` (md5deep `-z`, size right-aligned),
  a leading backslash when md5sum escaped the name, or the BSD tag form `MD5 (NAME) = HASH` (`md5sum --tag`;
  `SHA256 (NAME) = HASH` from `sha256sum --tag`).
  The hash type is the hash's length: 32 MD5, 40 SHA-1, 64 SHA-256.

Winnow's scanner computes and matches MD5, SHA-1, SHA-256 and PDQ; a list holding only SHA-512 (or Tiger,
Whirlpool) hashes would match nothing, so it is refused with that reason rather than imported as an empty promise.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .base import HashSetParse
from .csvsets import _TextSource
from .records import EntryError, HashRecord, hex_hash, shown, tolerant_int, tolerant_text

HASHDEEP_MAGIC = "%%%% HASHDEEP-"
_HASHDEEP_COLUMNS = {"size", "md5", "sha1", "sha256", "tiger", "whirlpool", "filename"}
_HASHDEEP_ALIASES = {"sha-1": "sha1", "sha-256": "sha256"}  # FILEFORMAT allows both spellings
_MATCHED = ("md5", "sha1", "sha256")  # what the scanner computes
_DIGEST_LINE = re.compile(
    r"^\\?(?:\s*(?P<size>\d+)  )?(?P<hash>[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[0-9a-fA-F]{128})"
    r"(?: [ *](?P<name>.*))?$"
)
_TAG_LINE = re.compile(r"^(?P<algo>MD5|SHA1|SHA-1|SHA256|SHA-256|SHA512|SHA-512) ?\((?P<name>.*)\) ?= ?(?P<hash>[0-9a-fA-F]+)$")
_BY_LENGTH = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}


def looks_like_digest_list(line: str) -> bool:
    """A first line that only md5deep/md5sum-style tools write: a hash followed by a file name, or a BSD tag."""
    line = line.rstrip("\r\n")
    match = _DIGEST_LINE.match(line)
    return bool(match and match["name"]) or bool(_TAG_LINE.match(line))


def _unmatched(kind: str) -> EntryError:
    return EntryError(
        f"a {kind.upper().replace('SHA', 'SHA-')} hash only: Winnow matches MD5, SHA-1, SHA-256 and PDQ, so this entry "
        "would never match (hash the files with one of those as well, e.g. hashdeep -c md5,sha256)"
    )


class DigestListParse(HashSetParse):
    """md5deep/sha1deep/sha256deep output and md5sum/sha1sum/sha256sum files (see the module docstring)."""

    format = "md5deep"

    def _entries(self) -> Iterator[tuple[int, str, Any]]:
        src = _TextSource(self.open_binary())
        try:
            if src.problem:
                raise self.error("start", src.problem)
            for line_no, line in enumerate(src.text, start=1):
                text = line.rstrip("\r\n")
                if text.strip():
                    yield line_no, f"line {line_no}", text
            src.reader.drain()
        finally:
            self.report.sha256 = src.reader.hexdigest()
            self.report.size_bytes = src.reader.bytes_read
            src.close()

    def _convert(self, position: int, raw: Any) -> HashRecord:
        tag = _TAG_LINE.match(raw)
        if tag:
            value, name, size = tag["hash"], tag["name"], None
            kind = tag["algo"].lower().replace("-", "")
            if _BY_LENGTH.get(len(value)) != kind:
                raise EntryError(f"{shown(value)} is not a {tag['algo']} hash")
        else:
            match = _DIGEST_LINE.match(raw)
            if not match:
                raise EntryError(f"{shown(raw)} is not a hash list line (HASH  NAME, HASH *NAME or SIZE  HASH  NAME)")
            value, name, size = match["hash"], match["name"], match["size"]
            kind = _BY_LENGTH[len(value)]
        if kind not in _MATCHED:
            raise _unmatched(kind)
        return HashRecord(
            position=position,
            md5=hex_hash(value, "MD5") if kind == "md5" else None,
            sha1=hex_hash(value, "SHA-1") if kind == "sha1" else None,
            sha256=hex_hash(value, "SHA-256") if kind == "sha256" else None,
            file_name=tolerant_text(name),
            size=tolerant_int(size, "size"),
        )


class HashdeepParse(HashSetParse):
    """hashdeep's own format: `%%%% HASHDEEP-1.0`, a `%%%%` column line, `##` comments, comma-separated rows."""

    format = "hashdeep"

    def _entries(self) -> Iterator[tuple[int, str, Any]]:
        src = _TextSource(self.open_binary())
        try:
            if src.problem:
                raise self.error("start", src.problem)
            columns: list[str] | None = None
            for line_no, line in enumerate(src.text, start=1):
                text = line.rstrip("\r\n")
                if line_no == 1:
                    if not text.startswith(HASHDEEP_MAGIC):
                        raise self.error("line 1", f"not a hashdeep file: expected {HASHDEEP_MAGIC}1.0, found {shown(text, 40)}")
                    continue
                if columns is None:
                    columns = self._columns(text)
                    continue
                if not text.strip() or text.startswith("##"):
                    continue
                if text.startswith("%%%%"):
                    # hashdeep concatenations repeat the header; the columns may differ
                    if text.startswith(HASHDEEP_MAGIC):
                        columns = None
                    else:
                        columns = self._columns(text)
                    continue
                yield line_no, f"line {line_no}", (columns, text)
            if columns is None:
                raise self.error("line 2", "no %%%% column line (e.g. %%%% size,md5,sha256,filename)")
            src.reader.drain()
        finally:
            self.report.sha256 = src.reader.hexdigest()
            self.report.size_bytes = src.reader.bytes_read
            src.close()

    def _columns(self, text: str) -> list[str]:
        if not text.startswith("%%%% "):
            raise self.error("line 2", f"expected the %%%% column line, found {text[:60]!r}")
        names = [c.strip().lower() for c in text[5:].split(",")]
        names = [_HASHDEEP_ALIASES.get(n, n) for n in names]
        unknown = [n for n in names if n not in _HASHDEEP_COLUMNS]
        if unknown or not names or names[-1] != "filename":
            raise self.error("line 2", f"hashdeep columns {names!r}: expected size and hash names, then filename last")
        if not set(names) & set(_MATCHED):
            raise self.error("line 2", "no md5, sha1 or sha256 column: Winnow matches MD5, SHA-1, SHA-256 and PDQ "
                                       "(hash with hashdeep -c md5,sha256)")
        return names

    def _convert(self, position: int, raw: Any) -> HashRecord:
        columns, text = raw
        values = text.split(",", len(columns) - 1)
        if len(values) != len(columns):
            raise EntryError(f"{len(values)} fields; the column line names {len(columns)}")
        row = dict(zip(columns, values, strict=True))
        return HashRecord(
            position=position,
            md5=hex_hash(row.get("md5"), "MD5"),
            sha1=hex_hash(row.get("sha1"), "SHA-1"),
            sha256=hex_hash(row.get("sha256"), "SHA-256"),
            file_name=tolerant_text(row.get("filename")),
            size=tolerant_int(row.get("size"), "size"),
        )
