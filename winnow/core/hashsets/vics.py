"""VICS JSON (Project VIC / CAID), streamed with ijson.

Envelopes (formats.md §2): 1.x `{"odata.metadata": ".../$metadata#Media", "value": [Media, ...]}` or `#Cases`
with `"value": [Case{..., "Media": [...]}, ...]`; 2.0 the same under `"@odata.context"` with a region in the URL
(`/US/`, `/UK/`, `/CUSTOM/`). Media are recognised by structure, not by trusting the URL: a `value` item holding
a `Media` array is a Case, any other `value` item is a Media. Each Media object is built on its own, so a single
Case holding millions of Media never sits in memory.

Case fields (CaseID, CaseNumber) are attached to that case's Media when they precede the Media array, as every
writer we know puts them; `TotalMediaFiles`-style counters are ignored (unreliable).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ijson  # type: ignore[import-untyped]

from .base import HashSetParse
from .records import (
    MAX_SEGMENTED_LISTED,
    EntryError,
    HashingReader,
    HashRecord,
    Utf8Recoder,
    hex_hash,
    text_problem,
    tolerant_bool,
    tolerant_int,
    tolerant_text,
)
from .schemes import BUILTIN_SCHEMES, CategoryScheme, normalise_raw_code

_META_KEYS = {"odata.metadata": "1.x", "@odata.context": "2.0"}
_REGION = re.compile(r"/(US|UK|CUSTOM)/", re.IGNORECASE)
_ENVELOPE = re.compile(r"#(Media|Cases)\b", re.IGNORECASE)
_CASE_KEYS = ("CaseID", "CaseNumber")
_READ_SIZE = 1 << 18
MAX_DIGITS = 1000  # far beyond any VICS number; ijson's C backend crashes the process on a ~4,300-digit integer
_DIGITS_AT_END = re.compile(rb"[0-9]*\Z")


class TooManyDigits(Exception):
    def __init__(self, offset: int) -> None:
        super().__init__(offset)
        self.offset = offset


class _DigitGuard(io.RawIOBase):
    """Passes bytes through to the parser, refusing a run of more than MAX_DIGITS digits (even split across reads)
    before the parser sees it: ijson's yajl2_c backend segfaults on integers of about 4,300 digits or more."""

    def __init__(self, inner: HashingReader | Utf8Recoder) -> None:
        super().__init__()
        self._inner = inner
        self._run = 0  # digits at the end of what has passed so far
        self.offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._inner.readinto(buffer)
        if not n:
            return 0
        chunk = bytes(memoryview(buffer).cast("B")[:n])
        head = len(chunk) - len(chunk.lstrip(b"0123456789"))
        if self._run + head > MAX_DIGITS:
            raise TooManyDigits(self.offset - self._run)
        for match in re.finditer(rb"[0-9]{%d,}" % (MAX_DIGITS + 1), chunk):
            raise TooManyDigits(self.offset + match.start())
        tail = len(_DIGITS_AT_END.search(chunk).group())  # type: ignore[union-attr]
        self._run = self._run + n if tail == n else tail
        self.offset += n
        return n


def scheme_hint(context: str) -> CategoryScheme | None:
    """The only unambiguous inference: a VICS 2.0 US context uses Project VIC US 0-4."""
    m = _REGION.search(context)
    if m and m.group(1).upper() == "US":
        return BUILTIN_SCHEMES["projectvic-us"]
    return None


class _Builder:
    """Minimal object builder for ijson events (like ijson.common.ObjectBuilder)."""

    __slots__ = ("containers", "key", "root")

    def __init__(self) -> None:
        self.root: dict[str, Any] = {}
        self.containers: list[Any] = [self.root]
        self.key: list[str | None] = [None]

    def event(self, event: str, value: Any) -> None:
        if event == "map_key":
            self.key[-1] = value
            return
        if event in ("end_map", "end_array"):
            self.containers.pop()
            self.key.pop()
            return
        if event == "start_map":
            new: Any = {}
        elif event == "start_array":
            new = []
        else:
            new = value
        top = self.containers[-1]
        if isinstance(top, list):
            top.append(new)
        else:
            top[self.key[-1]] = new
        if event in ("start_map", "start_array"):
            self.containers.append(new)
            self.key.append(None)


class VicsParse(HashSetParse):
    format = "vics"

    def __init__(self, path: str | Path, scheme: CategoryScheme | None, **kw: Any) -> None:
        super().__init__(path, scheme, **kw)
        self._explicit_scheme = scheme is not None
        self._reader: HashingReader | None = None
        self._context_seen = self._value_seen = False  # the top-level keys seen so far

    def _entries(self) -> Iterator[tuple[int, str, Any]]:
        try:
            yield from self._media()
        except TooManyDigits as exc:
            raise self.error(f"near byte {exc.offset}", f"a number of more than {MAX_DIGITS:,} digits: refused (no "
                             "VICS field needs one, and the JSON parser cannot read it safely)") from None

    def _media(self) -> Iterator[tuple[int, str, Any]]:
        report = self.report
        media_no = 0
        case_no = 0
        self._context_seen = self._value_seen = False
        top: _Builder | None = None  # the current value item (a Media, or a Case without its Media array)
        top_is_case = False
        media: _Builder | None = None  # a Media inside a Case
        case_fields: dict[str, Any] = {}
        media_no_in_case = 1
        with self.open_binary() as raw:
            reader = self._reader = HashingReader(raw)
            guard = _DigitGuard(self._utf8(reader))
            events = ijson.parse(guard, buf_size=_READ_SIZE)
            first = True
            try:
                for prefix, event, value in events:
                    if first:
                        first = False
                        if event != "start_map":
                            raise self.error("start", "not a VICS file: the document is not a JSON object")
                    if media is not None:
                        if prefix == "value.item.Media.item" and event == "end_map":
                            media_no += 1
                            label = (
                                f"media entry {media_no} (case {case_no}, its Media entry {media_no_in_case})"
                            )
                            obj = media.root
                            media = None
                            media_no_in_case += 1
                            yield media_no, label, (obj, case_fields)
                        else:
                            media.event(event, value)
                        continue
                    if top is not None:
                        if prefix == "value.item.Media.item" and event == "start_map":
                            media = _Builder()
                            if not case_fields:
                                case_fields = {k: top.root.get(k) for k in _CASE_KEYS if k in top.root}
                            continue
                        if prefix == "value.item.Media" or prefix.startswith("value.item.Media."):
                            top_is_case = True  # the Media array itself (start/end, or a non-object inside)
                            continue
                        if prefix == "value.item" and event == "map_key" and value == "Media":
                            top_is_case = True
                            top.event(event, value)
                            top.event("start_array", None)  # keep the builder balanced; the array stays empty
                            top.event("end_array", None)
                            continue
                        if prefix == "value.item" and event == "end_map":
                            obj = top.root
                            top = None
                            if top_is_case:
                                report.cases += 1
                            else:
                                media_no += 1
                                yield media_no, f"media entry {media_no}", (obj, {})
                            continue
                        top.event(event, value)
                        continue
                    if self._top_level_event(prefix, event, value, case_no):  # outside any value item
                        top = _Builder()
                        top_is_case = False
                        case_fields = {}
                        case_no += 1
                        media_no_in_case = 1
            except ijson.JSONError as exc:
                raise self.error(
                    f"after media entry {media_no}, near byte {reader.bytes_read}", f"invalid JSON ({exc})"
                ) from None
            self._check_complete(first)
            reader.drain()

    def _top_level_event(self, prefix: str, event: str, value: Any, case_no: int) -> bool:
        """An event outside any value item (once per item, not per field); True when a value item starts."""
        if prefix == "" and event == "map_key":
            if value in _META_KEYS:
                self.report.format_version = _META_KEYS[value]
            elif value == "value" and not self._context_seen:
                raise self.error(
                    "top level",
                    "not a VICS file: no odata.metadata or @odata.context before value",
                )
            elif value == "value":
                self._value_seen = True
        elif prefix in _META_KEYS and event == "string":
            self._context_seen = True
            self._set_context(str(value))
        elif prefix == "value.item" and event == "start_map":
            return True
        elif prefix == "value.item":
            raise self.error(f"value item {case_no + 1}", f"expected an object, found {event}")
        elif prefix == "value" and event not in ("start_array", "end_array"):
            raise self.error("value", f"expected an array, found {event}")
        return False

    def _check_complete(self, first: bool) -> None:
        if first:
            raise self.error("start", "empty file")
        if not self._context_seen:
            raise self.error("top level", "not a VICS file: no odata.metadata or @odata.context")
        if not self._value_seen:
            raise self.error("top level", "no value array")

    def _set_context(self, context: str) -> None:
        report = self.report
        report.context = context
        m = _REGION.search(context)
        report.region = m.group(1).upper() if m else None
        e = _ENVELOPE.search(context)
        report.envelope = e.group(1).capitalize() if e else None
        if not self._explicit_scheme:
            hint = scheme_hint(context)
            if hint is not None:
                self.scheme = hint
                report.scheme = hint.name

    def _finish(self) -> None:
        assert self._reader is not None
        self.report.sha256 = self._reader.hexdigest()
        self.report.size_bytes = self._reader.bytes_read
        if self.report.envelope is None:
            self.report.envelope = "Cases" if self.report.cases else "Media"

    def _utf8(self, reader: HashingReader) -> HashingReader | Utf8Recoder:
        """The stream ijson reads: ijson reads UTF-8 only, so a UTF-16 export (BOM-detected) is recoded on the fly,
        still streamed. Not text at all (UTF-16 without a BOM, binary): refused here, naming why."""
        encoding = reader.start()
        if problem := text_problem(reader.head):
            raise self.error("start", problem)
        return reader if encoding == "utf-8" else Utf8Recoder(reader, encoding)

    def _segments(self, value: object) -> tuple[str | None, ...]:
        if not isinstance(value, list):
            return ()
        out: list[str | None] = []
        for item in value:
            if not isinstance(item, dict):
                raise EntryError("a Segments entry is not an object")
            seg = {str(k).lower(): v for k, v in item.items()}
            out.append(self.map_category(seg.get("category")))
        return tuple(out)

    def _convert(self, position: int, raw: Any) -> HashRecord:
        obj, case = raw
        m = {str(k).lower(): v for k, v in obj.items()} if isinstance(obj, dict) else {}
        if not isinstance(obj, dict):
            raise EntryError("Media entry is not an object")
        md5 = hex_hash(m.get("md5"), "MD5")
        sha1 = hex_hash(m.get("sha1"), "SHA-1")
        sha256 = hex_hash(m.get("sha256"), "SHA-256")
        pdq = None
        alt = m.get("alternativehashes")
        if isinstance(alt, list):
            for item in alt:
                if not isinstance(item, dict):
                    continue
                a = {str(k).lower(): v for k, v in item.items()}
                name = str(a.get("hashname") or "").strip().upper().replace("-", "")
                if name == "PDQ":
                    pdq = hex_hash(a.get("hashvalue"), "PDQ")
                elif name == "SHA256" and sha256 is None:
                    sha256 = hex_hash(a.get("hashvalue"), "SHA-256")
                elif name == "SHA1" and sha1 is None:
                    sha1 = hex_hash(a.get("hashvalue"), "SHA-1")
                elif name == "MD5" and md5 is None:
                    md5 = hex_hash(a.get("hashvalue"), "MD5")
        raw_cat = m.get("category")
        category = self.map_category(raw_cat)
        segments = self._segments(m.get("segments"))
        by_segment = self.scheme is not None and any(c is not None for c in segments)
        if by_segment and self.scheme is not None:
            # a video categorised by segment takes its most severe segment's category (never a lesser one)
            category = self.scheme.most_severe((category, *segments))
        files = m.get("mediafiles")
        case_id = tolerant_text(case.get("CaseID")) or tolerant_text(case.get("CaseNumber"))
        record = HashRecord(
            position=position,
            md5=md5,
            sha1=sha1,
            sha256=sha256,
            pdq=pdq,
            category=category,
            raw_category=normalise_raw_code(raw_cat),
            segments=segments,
            series=tolerant_text(m.get("series")),
            victim_identified=tolerant_bool(m.get("victimidentified"), "VictimIdentified"),
            offender_identified=tolerant_bool(m.get("offenderidentified"), "OffenderIdentified"),
            is_distributed=tolerant_bool(m.get("isdistributed"), "IsDistributed"),
            is_precategorized=tolerant_bool(m.get("isprecategorized"), "IsPrecategorized"),
            media_id=tolerant_text(m.get("mediaid")),
            case_id=case_id,
            size=tolerant_int(m.get("mediasize"), "MediaSize"),
            mime_type=tolerant_text(m.get("mimetype")),
            media_files=len(files) if isinstance(files, list) else 0,
        )
        if by_segment:  # counted once the entry is known to be good
            self.report.segmented_media += 1
            if len(self.report.segmented_listed) < MAX_SEGMENTED_LISTED and record.key:
                self.report.segmented_listed.append({"position": position, "hash": record.key, "category": category,
                                                     "segments": list(segments)})
        return record
