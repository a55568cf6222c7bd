"""What every hash-set parser yields and reports, and the tolerant value coercions they share."""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any, Literal

import numpy as np

OnError = Literal["raise", "collect"]

#: How many rejected entries a report keeps verbatim when collecting (the total is always counted).
MAX_KEPT_ISSUES = 1000
#: How many videos categorised by segment a report lists with their segments (all are counted).
MAX_SEGMENTED_LISTED = 100



def shown(value: object, limit: int = 80) -> str:
    """repr() of a value for an error message, cut to `limit` characters: errors never echo a whole 20 MB line."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}… ({len(str(value)):,} characters)"

class HashSetParseError(ValueError):
    """A hash-set file could not be read. Always names the file, the position and the reason."""

    def __init__(self, file: str, position: str, reason: str) -> None:
        self.file = file
        self.position = position
        self.reason = reason
        super().__init__(f"{file}: {position}: {reason}" if position else f"{file}: {reason}")


class EntryError(ValueError):
    """One entry is malformed (the parser adds file and position)."""


@dataclass(frozen=True, slots=True)
class ParseIssue:
    file: str
    position: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.position}: {self.reason}"


@dataclass(frozen=True, slots=True)
class HashRecord:
    """One entry of a hash set. Hashes are lower-case hex; None when the entry does not carry that hash.

    `category` is the scheme's code (see schemes.py), None for uncategorised: never 0-by-default.
    `position` is where the entry sits in its file: 1-based Media entry index (VICS), line number (CSV,
    NSRL v2) or row number (NSRL v3)."""

    position: int
    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    pdq: str | None = None
    category: str | None = None
    raw_category: str | None = None
    series: str | None = None
    victim_identified: bool | None = None
    offender_identified: bool | None = None
    is_distributed: bool | None = None
    is_precategorized: bool | None = None
    media_id: str | None = None
    case_id: str | None = None
    size: int | None = None
    file_name: str | None = None
    mime_type: str | None = None
    media_files: int = 0
    segments: tuple[str | None, ...] = ()  # VICS 2.0 video Segments[].Category, in order (scheme codes)

    @property
    def key(self) -> str:
        """The hash that identifies the entry for distinct counting: MD5, else SHA-1, else SHA-256, else PDQ."""
        return self.md5 or self.sha1 or self.sha256 or self.pdq or ""


@dataclass(slots=True)
class ParseReport:
    """Facts about one parsed hash-set file. Complete once the records have been iterated to the end."""

    path: str
    format: str  # "vics", "csv", "nsrl-rds2", "nsrl-rds3"
    scheme: str
    kind: str  # "reference" (CAID / Project VIC / own lists) or "known-files" (NSRL)
    sha256: str = ""
    size_bytes: int = 0
    format_version: str | None = None  # VICS "1.x" / "2.0"
    envelope: str | None = None  # VICS "Media" / "Cases"
    region: str | None = None  # VICS 2.0 "US" / "UK" / "CUSTOM"
    context: str | None = None  # the odata.metadata / @odata.context URL
    entries: int = 0  # records yielded: each one an instance of a hash in the file
    cases: int = 0
    media_files: int = 0  # nested VICS MediaFiles (file instances recorded by the supplier)
    rejected: int = 0  # entries skipped with on_error="collect"
    without_hash: int = 0  # entries carrying no usable hash (skipped, counted)
    distinct_md5: int | None = None  # None when distinct counting was switched off
    distinct_sha1: int | None = None
    distinct_sha256: int | None = None
    distinct_pdq: int | None = None
    distinct_keys: int | None = None  # distinct entries by key hash (MD5, else SHA-1, else SHA-256, else PDQ)
    instances_by_category: dict[str | None, int] = field(default_factory=dict)
    distinct_by_category: dict[str | None, int] | None = None
    conflicting_categories: int | None = None  # distinct key hashes listed under more than one category
    segmented_media: int = 0  # VICS videos categorised by segment (they take their most severe segment's category)
    segmented_listed: list[dict[str, Any]] = field(default_factory=list)  # the first MAX_SEGMENTED_LISTED of them
    issues: list[ParseIssue] = field(default_factory=list)
    complete: bool = False

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            if name == "issues":
                value = [str(i) for i in value]
            elif isinstance(value, dict):
                value = {("uncategorised" if k is None else k): v for k, v in value.items()}
            out[name] = value
        return out


# ---------------------------------------------------------------------------------------------------- coercions

_HEX = re.compile(r"^[0-9a-f]*$")
_HASH_LEN = {"MD5": 32, "SHA-1": 40, "SHA-256": 64, "PDQ": 64}


def hex_hash(value: object, name: str) -> str | None:
    """Lower-case hex of the right length, None for null/empty; EntryError otherwise."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise EntryError(f"{name} {shown(value)} is not a string of hex digits")
    text = value.strip().lower()
    if text.startswith("0x"):
        text = text[2:]
    if not text:
        return None
    if len(text) != _HASH_LEN[name] or not _HEX.match(text):
        raise EntryError(f"{name} {shown(value)} is not {_HASH_LEN[name]} hex digits")
    return text


_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


def tolerant_bool(value: object, name: str) -> bool | None:
    """JSON booleans, "true"/"false" in any case, 1/0 and "1"/"0"; null or "" -> None."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, Decimal)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if not text or text == "null":
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise EntryError(f"{name} {shown(value)} is not a boolean")


def tolerant_int(value: object, name: str) -> int | None:
    """Integers, quoted integers ("123", " 123 ", "1.0"); null or "" -> None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise EntryError(f"{name} {shown(value)} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, (float, Decimal)):
        if value == int(value):
            return int(value)
        raise EntryError(f"{name} {shown(value)} is not a whole number")
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            try:
                d = Decimal(text)
            except ArithmeticError:
                d = Decimal("NaN")
            if d.is_finite() and d == int(d):
                return int(d)
    raise EntryError(f"{name} {shown(value)} is not a whole number")


def tolerant_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, dict)):
        return None
    text = str(value).strip()
    return text or None


# ------------------------------------------------------------------------------------------------ streaming input

BOM = b"\xef\xbb\xbf"


class HashingReader(io.RawIOBase):
    """A binary file wrapper that SHA-256s every byte as it is read (one pass: no second read of a multi-GB
    file) and hides a leading byte-order mark from the parser (the digest still covers it: it is of the file).
    `encoding` says what the BOM said: "utf-8" (also with no BOM), "utf-16-le" or "utf-16-be"."""

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        self.encoding = "utf-8"
        self.head = b""
        self._raw = raw
        self._sha = hashlib.sha256()
        self.bytes_read = 0
        self._pending = b""
        self._started = False

    def readable(self) -> bool:
        return True

    def _start(self) -> None:
        self._started = True
        head = b""
        while len(head) < SNIFF_BYTES:
            more = self._raw.read(SNIFF_BYTES - len(head))
            if not more:
                break
            head += more
        self._sha.update(head)
        self.bytes_read += len(head)
        self.encoding, bom = text_encoding(head)
        self.head = head
        self._pending = head[bom:]

    def start(self) -> str:
        """Read the head of the file (BOM detection) and return the encoding its text is in."""
        if not self._started:
            self._start()
        return self.encoding

    def readinto(self, buffer: Any) -> int:
        if not self._started:
            self._start()
        view = memoryview(buffer).cast("B")
        if self._pending:
            n = min(len(view), len(self._pending))
            view[:n] = self._pending[:n]
            self._pending = self._pending[n:]
            return n
        n = self._raw.readinto(view)  # type: ignore[attr-defined]
        if n:
            self._sha.update(view[:n])
            self.bytes_read += n
        return n or 0

    def drain(self) -> None:
        """Hash whatever the parser did not read (trailing bytes after the document)."""
        if not self._started:
            self._start()
        while True:
            chunk = self._raw.read(1 << 20)
            if not chunk:
                break
            self._sha.update(chunk)
            self.bytes_read += len(chunk)

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def sha256_file(path: str | os.PathLike[str], chunk: int = 1 << 20) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while True:
            data = fh.read(chunk)
            if not data:
                break
            sha.update(data)
            size += len(data)
    return sha.hexdigest(), size


# ------------------------------------------------------------------------------------------------ distinct counting

_WIDTH = {"md5": 16, "sha1": 20, "sha256": 32, "pdq": 32}


class DistinctCounter:
    """Counts distinct hashes and per-category distinct entries in compact binary form.

    Memory: the raw digest bytes only (16 B per MD5, 20 per SHA-1, 32 per SHA-256 / PDQ) plus 1 B of category
    per entry for the key hash, in bytearrays; sorting happens once at the end with NumPy. This is the one part
    of parsing that grows with the file; pass count_distinct=False to a parser for strictly constant memory."""

    def __init__(self) -> None:
        self._buf: dict[str, bytearray] = {k: bytearray() for k in _WIDTH}
        self._pairs = bytearray()  # 34-byte records: kind tag, key digest padded to 32, category index
        self._cats: dict[str | None, int] = {None: 0}

    def add(self, rec: HashRecord) -> None:
        for kind in _WIDTH:
            h = getattr(rec, kind)
            if h is not None:
                self._buf[kind] += bytes.fromhex(h)
        idx = self._cats.get(rec.category)
        if idx is None:
            idx = self._cats[rec.category] = len(self._cats)
            if idx > 255:
                raise EntryError("more than 255 distinct categories")
        # the kind tag keeps an MD5 and a PDQ that happen to share leading bytes apart
        tag = b"m" if rec.md5 else b"s" if rec.sha1 else b"2" if rec.sha256 else b"p"
        self._pairs += tag + bytes.fromhex(rec.key).ljust(32, b"\0") + bytes((idx,))

    def finish(self, report: ParseReport) -> None:
        for kind, width in _WIDTH.items():
            arr = np.frombuffer(bytes(self._buf[kind]), dtype=np.dtype((np.void, width)))
            setattr(report, f"distinct_{kind}", int(np.unique(arr).size))
            self._buf[kind] = bytearray()
        raw = np.frombuffer(bytes(self._pairs), dtype=np.uint8).reshape(-1, 34)
        self._pairs = bytearray()
        names = {v: k for k, v in self._cats.items()}
        pairs = np.unique(
            np.ascontiguousarray(raw).view(np.dtype((np.void, 34))).ravel()
        )  # sorted (key, cat)
        as_bytes = pairs.view(np.uint8).reshape(-1, 34)
        keys = np.ascontiguousarray(as_bytes[:, :33]).view(np.dtype((np.void, 33))).ravel()
        cats = as_bytes[:, 33]
        new_key = np.ones(keys.size, dtype=bool)
        new_key[1:] = keys[1:] != keys[:-1]
        report.distinct_keys = int(new_key.sum())
        counts = np.bincount(cats, minlength=len(names)) if cats.size else np.zeros(0, dtype=np.int64)
        report.distinct_by_category = {names[i]: int(n) for i, n in enumerate(counts) if n}
        pairs_per_key = np.diff(np.append(np.flatnonzero(new_key), keys.size))
        report.conflicting_categories = int((pairs_per_key > 1).sum())


SNIFF_BYTES = 4096
UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


def text_encoding(head: bytes) -> tuple[str, int]:
    """The text encoding a file's first bytes declare by BOM, and the BOM's length. No BOM: UTF-8."""
    if head.startswith(BOM):
        return "utf-8", len(BOM)
    for mark, encoding in UTF16_BOMS.items():
        if head.startswith(mark):
            return encoding, len(mark)
    return "utf-8", 0


def text_problem(head: bytes) -> str | None:
    """Why the head of a file is not text Winnow can read as a hash list, or None. UTF-16 must carry its BOM (Excel's
    "Unicode text" and X-Ways write one): without it the byte order is a guess, and a wrong guess reads garbage."""
    encoding, bom = text_encoding(head)
    if encoding != "utf-8":
        return None
    body = head[bom:]
    if b"\x00" not in body:
        return None
    sample = body[:512]
    even, odd = sample[0::2], sample[1::2]
    if sample and (odd.count(0) > len(odd) * 0.4 or even.count(0) > len(even) * 0.4):
        order = "little-endian" if odd.count(0) > even.count(0) else "big-endian"
        return (f"UTF-16 without BOM (looks {order}): save it again as UTF-8, or as UTF-16 with a byte-order mark "
                "(Excel's \"Unicode text\" does), so the byte order is not a guess")
    return "binary data (NUL bytes), not a text hash list"


class Utf8Recoder(io.RawIOBase):
    """Presents a UTF-16 text stream as UTF-8 bytes, for parsers that read UTF-8 only (ijson). Streaming: one
    chunk decoded at a time; undecodable bytes become U+FFFD, which then fail as hashes where they matter."""

    def __init__(self, source: IO[bytes] | io.RawIOBase, encoding: str, chunk: int = 1 << 20) -> None:
        super().__init__()
        self._source = source
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._chunk = chunk
        self._pending = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        while not self._pending and not self._done:
            data = self._source.read(self._chunk)
            if not data:
                self._done = True
                self._pending = self._decoder.decode(b"", final=True).encode("utf-8")
            else:
                self._pending = self._decoder.decode(data).encode("utf-8")
        n = min(len(view), len(self._pending))
        view[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n
