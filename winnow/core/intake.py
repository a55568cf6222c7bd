"""Bulk referral intake: validate CSV and JSON files (and single referrals) into drafts, or say exactly what is wrong.

Every entry point either returns frozen drafts or raises `IntakeError` holding *all* the problems found (up to
`MAX_ERRORS`), each a `FieldError` naming the row (CSV), item (JSON) and field, and the reason. Nothing here
touches a database: the caller writes the drafts atomically, or nothing.

Places
------
- CSV: ``row N`` is the row number a spreadsheet shows: the header is row 1 and every record after it is one row,
  blank rows included. A quoted cell may span several physical lines; messages about the file's syntax also give
  the physical ``line``. CRLF, LF and a mix of both are accepted and counted correctly.
- JSON: ``item N`` is the 1-based position in the list of referrals; fields are paths such as
  ``subjects[1].identifiers[2].value`` (1-based too).

Text rules (every string value, in this order; the first failure is the field's one error)
------------------------------------------------------------------------------------------
1. NUL anywhere is refused.
2. A carriage return that does not start a CRLF pair ("lone CR") is refused. CRLF inside a multi-line value
   (the summary) becomes LF.
3. Control characters: the summary may contain newline and tab; every other field is one line and may contain
   none. Refused everywhere: C0 and C1 controls, DEL, the Unicode line/paragraph separators, the bidirectional
   override and isolate characters (they can make text display differently from what it is) and lone surrogates
   (they cannot be stored as UTF-8).
4. Spreadsheet formulas (CSV/formula injection). A value is refused, "looks like a spreadsheet formula", when
   - the raw value begins with a tab (a carriage return can only begin a CRLF line ending, see 2), or
   - the trimmed value begins with ``=`` or ``@``, except that a *username* may be an ``@handle`` made only of
     ASCII letters, digits, ``_`` and ``.`` (no brackets, so it cannot call a function), or
   - the trimmed value begins with ``+`` or ``-`` and contains anything other than digits, spaces and
     ``( ) . , ; / + -``. Without letters a formula can neither call a function, refer to a cell nor start another
     program, so phone numbers (``+44 7700 900123``, ``+44 (0)20 7946 0000``) and numbers (``-5``) pass, while
     ``-2+3+cmd|' /C calc'!A0``, ``+A1`` and a "- bullet" summary are refused: a bullet followed by text is still
     parsed as a formula by spreadsheets, so start such text with a word instead.
   In multi-valued CSV cells the rule applies to each value (and to both halves of ``platform:name``).
5. Markup: ``<`` followed by a letter, ``/``, ``!`` or ``?`` is refused ("markup is not accepted"); ``<13`` or
   ``< 5`` are fine.
Values are then trimmed; an empty optional value becomes "" (text), () (lists) or None (dates, times).

Values
------
- Times (``received_at``, identifiers' ``observed_at``): ISO 8601 date and time, e.g. ``2026-11-21T14:30:00Z``,
  ``2026-11-21 14:30`` or ``2026-11-21T14:30:00+01:00``. Without an offset the time is UK local time
  (Europe/London); a local time that does not exist or happens twice at a clock change is refused (give the
  offset). Stored in UTC. Refused: before 1990, or more than five minutes after ``now``.
- ``date_of_birth``: ``YYYY-MM-DD``, not before 1900, not after today (UK date).
- Choices (source, sex, role, identifier kind): case-insensitive; the error lists the allowed values.
- ``immediate_danger``: JSON ``true``/``false`` only; CSV ``yes``/``no``/``true``/``false``. It is required:
  an unanswered "is a child in immediate danger?" is not a "no".
- A subject needs a ``role`` (a victim must never default to "reported"); ``sex`` defaults to ``unknown``.
- Identifiers are normalised by `winnow.core.identifiers.normalise`; its reason is the error. A username needs
  its platform.
- Length limits (characters): summary 20,000; source_reference 100; names 200; each address 500; identifier
  value 500 (normalised form too); platform 100; any CSV cell 100,000.

Files
-----
- Size over ``max_bytes`` is refused before anything else is looked at.
- Not UTF-8: one error naming the byte offset and line of the first bad byte (and the CSV row and column).
- JSON if the first byte after an optional BOM and whitespace is ``[`` or ``{``; otherwise CSV.
- At most 10,000 referrals per file. Duplicates are refused, naming both places: an identical CSV row, the same
  source_reference and subject twice, the same source + source_reference in two JSON items, an identical JSON
  item, the same identifier twice for one subject. Two subjects are the same when role, given names, family name
  (ignoring case) and date of birth agree, or, when both are unnamed, when everything agrees (two unnamed
  victims told apart only by sex or an identifier are two subjects).
- CSV: the header is required; unknown, duplicate and missing required columns are named. Rows sharing a
  non-empty ``source_reference`` are one referral with several subjects and must agree on source, received_at,
  summary and immediate_danger; a further row of a referral must add a subject. Blank rows are skipped. A row
  with more cells than the header is refused unless the extra cells are empty. csv.field_size_limit is
  process-wide: it is set for the parse and restored after, and cells are measured again after parsing.
- JSON: a list of referral objects, or ``{"referrals": [...]}``; unknown and repeated keys are named; nesting
  deeper than the format (7 levels) is refused before parsing; syntax errors give line and column.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from winnow.core.identifiers import IdentifierError, IdentifierKind, normalise

LONDON = ZoneInfo("Europe/London")

MAX_REFERRALS = 10_000
MAX_FIELD_CHARS = 100_000  # any one CSV cell
MAX_SUMMARY_CHARS = 20_000
MAX_REFERENCE_CHARS = 100
MAX_NAME_CHARS = 200
MAX_ADDRESS_CHARS = 500
MAX_IDENTIFIER_CHARS = 500
MAX_PLATFORM_CHARS = 100
MAX_ERRORS = 1_000  # stop collecting after this many: nobody reads more, and a hostile file could make millions
SHOWN_ERRORS = 50  # in str(IntakeError)
MAX_JSON_DEPTH = 7  # {"referrals": [ {subjects: [ {identifiers: [ {...} ]} ]} ]}
FUTURE_TOLERANCE = timedelta(minutes=5)  # clocks differ a little
EARLIEST_RECEIVED = datetime(1990, 1, 1, tzinfo=UTC)
EARLIEST_BIRTH = date(1900, 1, 1)

_BOM = b"\xef\xbb\xbf"


class Source(StrEnum):
    NCA_CEOP = "nca_ceop"
    NCMEC = "ncmec"
    FORCE_INTELLIGENCE = "force_intelligence"
    OTHER_AGENCY = "other_agency"
    PUBLIC = "public"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    UNKNOWN = "unknown"


class SubjectRole(StrEnum):
    REPORTED = "reported"
    INTENDED_RECIPIENT = "intended_recipient"
    VICTIM = "victim"
    OTHER = "other"


@dataclass(frozen=True)
class FieldError:
    """One problem: where (row or item, field) and why. `row` is None for the whole file or a single referral."""

    row: int | None
    field: str
    reason: str
    row_label: str = "row"  # "item" for JSON files

    def __str__(self) -> str:
        place = []
        if self.row is not None:
            place.append(f"{self.row_label} {self.row}")
        if self.field:
            place.append(f"field {self.field!r}")
        return f"{', '.join(place)}: {self.reason}" if place else self.reason


class IntakeError(Exception):
    """The input was refused; `errors` says every place and reason found."""

    def __init__(self, errors: Sequence[FieldError], filename: str = "") -> None:
        super().__init__(list(errors), filename)  # args kept so the exception pickles
        self.errors: list[FieldError] = list(errors)
        self.filename = filename

    def __str__(self) -> str:
        count = len(self.errors)
        head = f"{self.filename}: " if self.filename else ""
        lines = [f"{head}{count} problem{'s' if count != 1 else ''} found:"]
        lines += [f"  - {error}" for error in self.errors[:SHOWN_ERRORS]]
        if count > SHOWN_ERRORS:
            lines.append(f"  ... and {count - SHOWN_ERRORS} more")
        return "\n".join(lines)


@dataclass(frozen=True)
class IdentifierDraft:
    kind: IdentifierKind
    value: str  # as received, trimmed (for a username: the name without its platform)
    normalised: str
    platform: str
    observed_at: datetime | None  # aware, UTC


@dataclass(frozen=True)
class SubjectDraft:
    given_names: str
    family_name: str
    date_of_birth: date | None
    sex: Sex
    addresses: tuple[str, ...]
    role: SubjectRole
    identifiers: tuple[IdentifierDraft, ...]


@dataclass(frozen=True)
class ReferralDraft:
    source: Source
    source_reference: str
    received_at: datetime  # aware, UTC
    summary: str
    immediate_danger: bool
    subjects: tuple[SubjectDraft, ...]
    locator: str  # where in the file: "row 2", "rows 2-3", "item 4"; "" for a single referral


# --------------------------------------------------------------------------------------------------------------
# Error collection and value checks shared by CSV, JSON and single referrals


class _Stop(Exception):
    """Too many errors: stop reading."""


class _Errors:
    def __init__(self, label: str) -> None:
        self.label = label
        self.items: list[FieldError] = []

    def add(self, row: int | None, field: str, reason: str) -> None:
        self.items.append(FieldError(row, field, reason, self.label))
        if len(self.items) >= MAX_ERRORS:
            raise _Stop

    def __len__(self) -> int:
        return len(self.items)


def _show(value: str, limit: int = 60) -> str:
    """A user's value, quoted and escaped (control characters, surrogates), shortened for messages."""
    if len(value) > limit:
        return repr(value[:limit]) + f"... ({len(value):,} characters)"
    return repr(value)


def _label(value: str) -> str:
    """A user-supplied name (a column, a key) made safe to show as a field name."""
    shown = repr(value[:60])[1:-1]
    return shown + "..." if len(value) > 60 else shown


_LONE_CR = re.compile(r"\r(?!\n)")
_BAD_ANYWHERE = "\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_CONTROL_ONE_LINE = re.compile(f"[\x00-\x1f{_BAD_ANYWHERE}]")
_CONTROL_MULTI_LINE = re.compile(f"[\x00-\x08\x0b-\x1f{_BAD_ANYWHERE}]")
_MARKUP = re.compile(r"<(?:[^\W\d_]|[/!?])")
_NUMBER_LIKE = re.compile(r"[0-9 ().,;/+\-]*")
_HANDLE = re.compile(r"@[A-Za-z0-9_.]+")


def _text_problem(raw: str, *, multiline: bool, formula: bool, handle: bool) -> str | None:
    if "\x00" in raw:
        return "contains a NUL character"
    if _LONE_CR.search(raw):
        return "contains a carriage return (CR) that is not part of a CRLF line ending"
    text = raw.replace("\r\n", "\n") if multiline else raw
    bad = (_CONTROL_MULTI_LINE if multiline else _CONTROL_ONE_LINE).search(text)
    if bad:
        char = bad.group()
        if char in "\r\n":
            return "contains a line break; this field is a single line"
        return f"contains the control character U+{ord(char):04X}, which is not accepted"
    if formula and _looks_like_formula(text, handle=handle):  # a leading CRLF is a blank line, not a CR
        return (
            f"looks like a spreadsheet formula ({_show(text.strip(), 30)}); values may not start with =, @, "
            "a tab, or + or - followed by anything but a number"
        )
    if _MARKUP.search(text):
        return "markup is not accepted (a '<' followed by a letter, '/', '!' or '?')"
    return None


def _looks_like_formula(raw: str, *, handle: bool) -> bool:
    if raw[:1] in ("\t", "\r"):
        return True
    value = raw.strip()
    first = value[:1]
    if first == "@" and handle and _HANDLE.fullmatch(value):
        return False
    if first in ("=", "@"):
        return True
    if first in ("+", "-"):
        return not _NUMBER_LIKE.fullmatch(value)
    return False


_E = TypeVar("_E", bound=StrEnum)

_ISO_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?",
    re.IGNORECASE,
)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME_EXAMPLE = "e.g. 2026-11-21T14:30:00Z, or 2026-11-21 14:30 for UK local time"


def _london_date(now: datetime) -> date:
    return now.astimezone(LONDON).date()


class _Checker:
    """Checks values for one row/item, adding errors under that row; returns None for a bad or empty value."""

    def __init__(self, errors: _Errors, row: int | None, now: datetime) -> None:
        self.errors = errors
        self.row = row
        self.now = now

    def error(self, field: str, reason: str) -> None:
        self.errors.add(self.row, field, reason)

    def text(
        self,
        field: str,
        raw: str,
        *,
        max_chars: int,
        required: bool = False,
        multiline: bool = False,
        formula: bool = True,
        handle: bool = False,
    ) -> str | None:
        problem = _text_problem(raw, multiline=multiline, formula=formula, handle=handle)
        if problem:
            self.error(field, problem)
            return None
        value = (raw.replace("\r\n", "\n") if multiline else raw).strip()
        if not value:
            if required:
                self.error(field, "is required")
                return None
            return ""
        if len(value) > max_chars:
            self.error(field, f"is {len(value):,} characters long; the limit is {max_chars:,}")
            return None
        return value

    def choice(self, field: str, raw: str, enum: type[_E], *, default: _E | None = None) -> _E | None:
        value = self.text(field, raw, max_chars=100)
        if value is None:
            return None
        if not value:
            if default is None:
                self.error(field, f"is required: one of {', '.join(m.value for m in enum)}")
            return default
        try:
            return enum(value.lower())
        except ValueError:
            self.error(field, f"{_show(value)} is not one of: {', '.join(m.value for m in enum)}")
            return None

    def when(self, field: str, raw: str | datetime, *, required: bool) -> datetime | None:
        """An ISO 8601 date and time; naive means Europe/London. Returns it in UTC."""
        if isinstance(raw, datetime):
            moment = raw
        else:
            value = self.text(field, raw, max_chars=100, formula=False)
            if value is None:
                return None
            if not value:
                if required:
                    self.error(field, f"is required: a date and time, {_TIME_EXAMPLE}")
                return None
            if not _ISO_DATETIME.fullmatch(value):
                if _ISO_DATE.fullmatch(value):
                    self.error(field, f"{_show(value)} has no time of day; give a date and time, {_TIME_EXAMPLE}")
                else:
                    self.error(field, f"{_show(value)} is not an ISO 8601 date and time, {_TIME_EXAMPLE}")
                return None
            try:
                moment = datetime.fromisoformat(value.upper())
            except ValueError as exc:
                self.error(field, f"{_show(value)} is not a valid date and time ({exc})")
                return None
        # Range first on the face value: converting year 1 or 9999 across an offset would overflow.
        if moment.year < EARLIEST_RECEIVED.year:
            self.error(field, f"{moment.isoformat()} is before {EARLIEST_RECEIVED.year}")
            return None
        if moment.year > self.now.year + 1:
            self.error(field, f"{moment.isoformat()} is in the future")
            return None
        if moment.tzinfo is None or moment.utcoffset() is None:
            local = moment.replace(tzinfo=LONDON, fold=0)
            if local.utcoffset() != moment.replace(tzinfo=LONDON, fold=1).utcoffset():
                back = local.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None)
                what = "does not exist in UK time (the clocks went forward)" if back != moment else (
                    "happens twice in UK time (the clocks went back)"
                )
                self.error(field, f"{moment.isoformat()} {what}; give the UTC offset, e.g. +00:00 or +01:00")
                return None
            moment = local
        utc = moment.astimezone(UTC)
        if utc < EARLIEST_RECEIVED:
            self.error(field, f"{utc.isoformat()} is before {EARLIEST_RECEIVED.year}")
            return None
        if utc > self.now + FUTURE_TOLERANCE:
            self.error(field, f"{utc.isoformat()} is in the future (now is {self.now.astimezone(UTC).isoformat()})")
            return None
        return utc

    def birth_date(self, field: str, raw: str | date) -> date | None:
        if isinstance(raw, datetime):
            self.error(field, "must be a date (YYYY-MM-DD), not a date and time")
            return None
        if isinstance(raw, date):
            day = raw
        else:
            value = self.text(field, raw, max_chars=100, formula=False)
            if not value:
                return None
            if not _ISO_DATE.fullmatch(value):
                self.error(field, f"{_show(value)} is not a date in the form YYYY-MM-DD")
                return None
            try:
                day = date.fromisoformat(value)
            except ValueError as exc:
                self.error(field, f"{_show(value)} is not a valid date ({exc})")
                return None
        if day < EARLIEST_BIRTH:
            self.error(field, f"{day.isoformat()} is before {EARLIEST_BIRTH.year}")
            return None
        if day > _london_date(self.now):
            self.error(field, f"{day.isoformat()} is in the future")
            return None
        return day

    def identifier(
        self,
        kind: IdentifierKind,
        value: str,
        *,
        platform: str,
        observed_at: datetime | None,
        field: str,
        platform_field: str,
    ) -> IdentifierDraft | None:
        """`value` and `platform` have passed `text` already."""
        if kind is IdentifierKind.USERNAME and not platform:
            self.error(platform_field, f"the username {_show(value)} needs its platform")
            return None
        try:
            normalised = normalise(kind, value, platform=platform)
        except (IdentifierError, ValueError) as exc:
            self.error(field, str(exc) or f"{_show(value)} is not a valid {kind.value}")
            return None
        if len(normalised) > MAX_IDENTIFIER_CHARS:
            self.error(field, f"{_show(value)} is too long once normalised (limit {MAX_IDENTIFIER_CHARS})")
            return None
        return IdentifierDraft(kind, value, normalised, platform, observed_at)


def _subject_key(subject: SubjectDraft) -> object:
    """Named subjects are the same person when role, names and date of birth agree; unnamed ones when all agrees."""
    if subject.given_names or subject.family_name:
        return (subject.role, subject.given_names.casefold(), subject.family_name.casefold(), subject.date_of_birth)
    return subject


def _check_subjects(chk: _Checker, subjects: Sequence[tuple[str, SubjectDraft]]) -> None:
    """Refuse the same subject twice in one referral. `subjects` pairs a place (field or row) with a draft."""
    seen: dict[object, str] = {}
    for place, subject in subjects:
        key = _subject_key(subject)
        if key in seen:
            chk.error(place, f"repeats the subject in {seen[key]}")
        else:
            seen[key] = place


def _check_identifiers(chk: _Checker, pairs: Sequence[tuple[str, IdentifierDraft]]) -> None:
    seen: set[tuple[IdentifierKind, str, datetime | None]] = set()
    for field, ident in pairs:
        key = (ident.kind, ident.normalised, ident.observed_at)
        if key in seen:
            chk.error(field, f"{_show(ident.value)} is given twice for the same subject")
        seen.add(key)


# --------------------------------------------------------------------------------------------------------------
# One referral as a JSON-like mapping (JSON items, the API body, the web form)

_REFERRAL_KEYS = ("source", "source_reference", "received_at", "summary", "immediate_danger", "subjects")
_SUBJECT_KEYS = ("role", "given_names", "family_name", "date_of_birth", "sex", "addresses", "identifiers")
_IDENTIFIER_KEYS = ("kind", "value", "platform", "observed_at")


class _JSONObject(dict[str, Any]):
    """A parsed JSON object that remembers keys given more than once (json.loads keeps only the last)."""

    repeated: tuple[str, ...] = ()


def _json_object(pairs: list[tuple[str, Any]]) -> _JSONObject:
    obj = _JSONObject(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        repeated: list[str] = []
        for key, _ in pairs:
            if key in seen:
                repeated.append(key)
            seen.add(key)
        obj.repeated = tuple(repeated)
    return obj


def _object(chk: _Checker, value: object, path: str, allowed: Sequence[str]) -> Mapping[str, Any] | None:
    if not isinstance(value, Mapping):
        chk.error(path, f"must be an object, not {_json_type(value)}")
        return None
    prefix = f"{path}." if path else ""
    for key in getattr(value, "repeated", ()):
        chk.error(prefix + _label(key), "is given more than once in the same object")
    for key in value:
        if key not in allowed:
            chk.error(prefix + _label(str(key)), f"is not a known field; the fields are: {', '.join(allowed)}")
    return value


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _string(chk: _Checker, obj: Mapping[str, Any], key: str, path: str) -> str | None:
    """The raw string at obj[key]: "" when missing or null, None (with an error) when not a string."""
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        chk.error(path + key, f"must be text, not {_json_type(value)}")
        return None
    return value


def _list(chk: _Checker, obj: Mapping[str, Any], key: str, path: str) -> list[Any] | None:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        chk.error(path + key, f"must be a list, not {_json_type(value)}")
        return None
    return list(value)


def _mapping_referral(data: object, chk: _Checker, locator: str) -> ReferralDraft | None:
    before = len(chk.errors)
    obj = _object(chk, data, "", _REFERRAL_KEYS)
    if obj is None:
        return None
    source = ref = summary = None
    raw = _string(chk, obj, "source", "")
    if raw is not None:
        source = chk.choice("source", raw, Source)
    raw = _string(chk, obj, "source_reference", "")
    if raw is not None:
        ref = chk.text("source_reference", raw, max_chars=MAX_REFERENCE_CHARS)
    received_at = None
    raw_when = obj.get("received_at")
    if isinstance(raw_when, datetime):
        received_at = chk.when("received_at", raw_when, required=True)
    else:
        raw = _string(chk, obj, "received_at", "")
        if raw is not None:
            received_at = chk.when("received_at", raw, required=True)
    raw = _string(chk, obj, "summary", "")
    if raw is not None:
        summary = chk.text("summary", raw, max_chars=MAX_SUMMARY_CHARS, required=True, multiline=True)
    danger = obj.get("immediate_danger")
    if danger is None:
        chk.error("immediate_danger", "is required: true or false")
    elif not isinstance(danger, bool):
        chk.error("immediate_danger", f"must be true or false (a JSON boolean), not {_json_type(danger)}")
    subjects: list[tuple[str, SubjectDraft]] = []
    raw_subjects = _list(chk, obj, "subjects", "")
    for n, raw_subject in enumerate(raw_subjects or [], start=1):
        subject = _mapping_subject(chk, raw_subject, f"subjects[{n}]")
        if subject is not None:
            subjects.append((f"subjects[{n}]", subject))
    _check_subjects(chk, subjects)
    if len(chk.errors) > before:
        return None
    assert source is not None and ref is not None and received_at is not None and summary is not None
    assert isinstance(danger, bool)
    return ReferralDraft(source, ref, received_at, summary, danger, tuple(s for _, s in subjects), locator)


def _mapping_subject(chk: _Checker, data: object, path: str) -> SubjectDraft | None:
    before = len(chk.errors)
    obj = _object(chk, data, path, _SUBJECT_KEYS)
    if obj is None:
        return None
    p = path + "."
    role = sex = given = family = None
    dob: date | None = None
    if (raw := _string(chk, obj, "role", p)) is not None:
        role = chk.choice(p + "role", raw, SubjectRole)
    if (raw := _string(chk, obj, "sex", p)) is not None:
        sex = chk.choice(p + "sex", raw, Sex, default=Sex.UNKNOWN)
    if (raw := _string(chk, obj, "given_names", p)) is not None:
        given = chk.text(p + "given_names", raw, max_chars=MAX_NAME_CHARS)
    if (raw := _string(chk, obj, "family_name", p)) is not None:
        family = chk.text(p + "family_name", raw, max_chars=MAX_NAME_CHARS)
    raw_dob = obj.get("date_of_birth")
    if isinstance(raw_dob, date):
        dob = chk.birth_date(p + "date_of_birth", raw_dob)
    elif (raw := _string(chk, obj, "date_of_birth", p)) is not None:
        dob = chk.birth_date(p + "date_of_birth", raw)
    addresses: list[str] = []
    for n, item in enumerate(_list(chk, obj, "addresses", p) or [], start=1):
        field = f"{p}addresses[{n}]"
        if not isinstance(item, str):
            chk.error(field, f"must be text, not {_json_type(item)}")
        elif (address := chk.text(field, item, max_chars=MAX_ADDRESS_CHARS)):
            addresses.append(address)
    identifiers: list[tuple[str, IdentifierDraft]] = []
    for n, item in enumerate(_list(chk, obj, "identifiers", p) or [], start=1):
        field = f"{p}identifiers[{n}]"
        ident = _mapping_identifier(chk, item, field)
        if ident is not None:
            identifiers.append((field, ident))
    _check_identifiers(chk, identifiers)
    if len(chk.errors) > before:
        return None
    assert role is not None and sex is not None and given is not None and family is not None
    return SubjectDraft(given, family, dob, sex, tuple(addresses), role, tuple(i for _, i in identifiers))


def _mapping_identifier(chk: _Checker, data: object, path: str) -> IdentifierDraft | None:
    before = len(chk.errors)
    obj = _object(chk, data, path, _IDENTIFIER_KEYS)
    if obj is None:
        return None
    p = path + "."
    kind = value = platform = None
    observed_at: datetime | None = None
    if (raw := _string(chk, obj, "kind", p)) is not None:
        kind = chk.choice(p + "kind", raw, IdentifierKind)
    if (raw := _string(chk, obj, "platform", p)) is not None:
        platform = chk.text(p + "platform", raw, max_chars=MAX_PLATFORM_CHARS)
    if (raw := _string(chk, obj, "value", p)) is not None:
        value = chk.text(
            p + "value", raw, max_chars=MAX_IDENTIFIER_CHARS, required=True, handle=kind is IdentifierKind.USERNAME
        )
    raw_seen = obj.get("observed_at")
    if isinstance(raw_seen, datetime):
        observed_at = chk.when(p + "observed_at", raw_seen, required=False)
    elif (raw := _string(chk, obj, "observed_at", p)) is not None:
        observed_at = chk.when(p + "observed_at", raw, required=False)
    if len(chk.errors) > before or kind is None or value is None or platform is None:
        return None
    return chk.identifier(
        kind, value, platform=platform, observed_at=observed_at, field=p + "value", platform_field=p + "platform"
    )


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")


def referral_from_mapping(data: Mapping[str, object], *, now: datetime, row: int | None = None) -> ReferralDraft:
    """Validate one referral given as a JSON-like mapping (a JSON import item, an API body, the web form).

    `row` is the item's 1-based position when it came from a file; errors then say "item N". Besides strings,
    `received_at`/`observed_at` may be datetimes and `date_of_birth` a date (for Python callers).
    Raises IntakeError listing every problem.
    """
    _require_aware(now)
    errors = _Errors("item")
    chk = _Checker(errors, row, now)
    try:
        draft = _mapping_referral(data, chk, f"item {row}" if row is not None else "")
    except _Stop:
        errors.items.append(FieldError(None, "", f"stopped after {MAX_ERRORS:,} problems"))
        draft = None
    if errors.items or draft is None:
        raise IntakeError(errors.items or [FieldError(row, "", "is not a valid referral", "item")])
    return draft


# --------------------------------------------------------------------------------------------------------------
# Files


def parse_referral_file(data: bytes, *, filename: str, now: datetime, max_bytes: int) -> list[ReferralDraft]:
    """Validate a whole CSV or JSON file into drafts (in file order), or raise IntakeError with every problem."""
    _require_aware(now)
    if len(data) > max_bytes:
        raise IntakeError(
            [FieldError(None, "", f"the file is {len(data):,} bytes; the limit is {max_bytes:,} bytes")], filename
        )
    skipped = len(_BOM) if data.startswith(_BOM) else 0
    body = data[skipped:]
    start = body.lstrip(b" \t\r\n")
    if not start:
        raise IntakeError([FieldError(None, "", "the file is empty")], filename)
    is_json = start[:1] in (b"[", b"{")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IntakeError([_encoding_error(data, skipped, exc, is_json)], filename) from None
    errors = _Errors("item" if is_json else "row")
    try:
        drafts = _parse_json(text, now, errors) if is_json else _parse_csv(text, now, errors)
    except _Stop:
        errors.items.append(FieldError(None, "", f"stopped after {MAX_ERRORS:,} problems; correct these first"))
    if errors.items:
        raise IntakeError(errors.items, filename)
    return drafts


def _encoding_error(data: bytes, skipped: int, exc: UnicodeDecodeError, is_json: bool) -> FieldError:
    offset = skipped + exc.start
    line = data.count(b"\n", 0, offset) + 1
    reason = (
        f"the file is not UTF-8: byte 0x{data[offset]:02X} at offset {offset:,} (line {line}) cannot be read "
        f"({exc.reason}); save it as UTF-8 (in a spreadsheet: 'CSV UTF-8')"
    )
    if is_json:
        return FieldError(None, "", reason)
    row, field = _csv_place(data[skipped:offset].decode("utf-8"))
    return FieldError(row, field, reason)


def _csv_place(prefix: str) -> tuple[int | None, str]:
    """The spreadsheet row and column name where a CSV file's valid prefix ends (best effort)."""
    try:
        with _csv_field_limit():
            records = list(csv.reader(io.StringIO(prefix, newline="\n")))
    except csv.Error:
        return None, ""
    if prefix.endswith("\n") or not records:  # the bad byte starts a new record
        records.append([""])
    header = next((r for r in records if any(c.strip() for c in r)), None)
    last = records[-1]
    if header is None or last is header:
        return len(records), ""
    names = [c.strip().lower() for c in header]
    column = len(last) - 1
    return len(records), _label(names[column]) if column < len(names) else ""


# --------------------------------------------------------------------------------------------------------------
# JSON files

_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def _parse_json(text: str, now: datetime, errors: _Errors) -> list[ReferralDraft]:
    # Refuse deep nesting before json.loads, which would recurse (RecursionError) on [[[[...]]]].
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        char = text[match.start()]
        if char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                line, col = _line_col(text, match.start())
                errors.add(None, "", f"the JSON nests deeper than the format allows ({MAX_JSON_DEPTH} levels) "
                                     f"at line {line}, column {col}")
                return []
        elif char in "]}":
            depth -= 1
    try:
        document = json.loads(text.lstrip("\ufeff"), object_pairs_hook=_json_object, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        errors.add(None, "", f"the file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
        return []
    except (ValueError, RecursionError) as exc:  # e.g. an integer with more than 4,300 digits
        errors.add(None, "", f"the file is not valid JSON: {str(exc)[:200]}")
        return []
    items: object = document
    if isinstance(document, Mapping):
        for key in getattr(document, "repeated", ()):
            errors.add(None, _label(key), "is given more than once")
        for key in document:
            if key != "referrals":
                errors.add(None, _label(key), "is not a known field; the file holds {\"referrals\": [...]} or a list")
        if "referrals" not in document:
            errors.add(None, "referrals", "is missing: the file holds {\"referrals\": [...]} or a list of referrals")
            return []
        items = document["referrals"]
    if not isinstance(items, list):
        errors.add(None, "referrals", f"must be a list of referrals, not {_json_type(items)}")
        return []
    if not items:
        errors.add(None, "", "the file holds no referrals")
        return []
    if len(items) > MAX_REFERRALS:
        errors.add(None, "", f"the file holds {len(items):,} referrals; the limit is {MAX_REFERRALS:,} per file")
        return []
    drafts: list[ReferralDraft] = []
    by_reference: dict[tuple[Source, str], int] = {}
    by_content: dict[ReferralDraft, int] = {}
    for n, item in enumerate(items, start=1):
        chk = _Checker(errors, n, now)
        draft = _mapping_referral(item, chk, f"item {n}")
        if draft is None:
            continue
        content = replace(draft, locator="")
        if content in by_content:
            chk.error("", f"is identical to item {by_content[content]}")
            continue
        by_content[content] = n
        if draft.source_reference:
            key = (draft.source, draft.source_reference)
            if key in by_reference:
                chk.error("source_reference", f"{_show(draft.source_reference)} from {draft.source.value} is also "
                                              f"item {by_reference[key]}; give each referral once")
                continue
            by_reference[key] = n
        drafts.append(draft)
    return drafts


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed")


# --------------------------------------------------------------------------------------------------------------
# CSV files

COLUMNS = (
    "source",
    "source_reference",
    "received_at",
    "summary",
    "immediate_danger",
    "subject_role",
    "subject_given_names",
    "subject_family_name",
    "subject_date_of_birth",
    "subject_sex",
    "subject_address",
    "emails",
    "phones",
    "usernames",
    "ip_addresses",
    "device_ids",
)
REQUIRED_COLUMNS = ("source", "received_at", "summary", "immediate_danger")
_REFERRAL_COLUMNS = ("source", "received_at", "summary", "immediate_danger")  # must agree within a referral
_SUBJECT_COLUMNS = COLUMNS[5:]
_IDENTIFIER_COLUMNS = (
    ("emails", IdentifierKind.EMAIL),
    ("phones", IdentifierKind.PHONE),
    ("usernames", IdentifierKind.USERNAME),
    ("ip_addresses", IdentifierKind.IP),
    ("device_ids", IdentifierKind.DEVICE),
)
_BOOLEANS = {"yes": True, "true": True, "no": False, "false": False}

_BAD = object()  # a value that failed its check (so it is not compared with other rows)


@contextmanager
def _csv_field_limit() -> Iterator[None]:
    # csv's limit is process-wide; set ours for the parse and put the old one back. Cells are also measured
    # after parsing, so a concurrent change of the limit cannot let a long cell through.
    previous = csv.field_size_limit(MAX_FIELD_CHARS)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class _Row:
    number: int
    referral: dict[str, object]  # column -> parsed value, or _BAD
    subject: SubjectDraft | None
    has_subject: bool


@dataclass
class _Group:
    first: _Row
    rows: list[_Row]
    subjects: dict[object, int]


def _csv_error_reason(exc: csv.Error, lines: str) -> str:
    message = str(exc)
    if "field larger than field limit" in message:
        what = f"a cell is longer than {MAX_FIELD_CHARS:,} characters"
    elif "unexpected end of data" in message:
        what = 'the file ends inside a quoted cell (a " is never closed)'
    elif "expected after" in message:
        what = 'a quoted cell has text after its closing quote (inside a quoted cell write a quote as "")'
    elif "new-line character seen in unquoted field" in message:
        what = "a carriage return (CR) without a line feed; save the file with CRLF or LF line endings"
    else:
        what = message
    return f"cannot be read as CSV at line {lines}: {what}"


def _parse_csv(text: str, now: datetime, errors: _Errors) -> list[ReferralDraft]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="\n"), strict=True)
    header: list[str] | None = None
    rows: list[_Row] = []
    number = 0
    seen_rows: dict[tuple[str, ...], int] = {}
    groups: dict[str, _Group] = {}
    order: list[_Group] = []
    with _csv_field_limit():
        while True:
            start_line = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                lines = f"{start_line}" if reader.line_num <= start_line else f"{start_line}-{reader.line_num}"
                errors.add(number + 1, "", _csv_error_reason(exc, lines))
                return []
            number += 1
            cells = [c.strip() for c in record]
            if not any(cells):
                continue  # blank rows are skipped but still counted, as a spreadsheet shows them
            if header is None:
                header = _csv_header(cells, errors)
                if header is None:
                    return []
                continue
            if len(cells) > len(header) and not any(cells[len(header):]):
                record, cells = record[: len(header)], cells[: len(header)]
            if len(cells) != len(header):
                errors.add(number, "", f"has {len(cells)} cells but the header has {len(header)} columns")
                continue
            too_long = [name for name, cell in zip(header, record, strict=True) if len(cell) > MAX_FIELD_CHARS]
            for name in too_long:
                errors.add(number, name, f"is longer than {MAX_FIELD_CHARS:,} characters")
            if too_long:
                continue
            key = tuple(cells)
            if key in seen_rows:
                errors.add(number, "", f"is identical to row {seen_rows[key]}")
                continue
            seen_rows[key] = number
            row = _csv_row(dict(zip(header, record, strict=True)), number, now, errors)
            rows.append(row)
            reference = row.referral.get("source_reference")
            if isinstance(reference, str) and reference:
                group = groups.get(reference)
                if group is not None:
                    _join_group(group, row, reference, errors)
                    continue
            group = _Group(row, [row], {})
            _note_subject(group, row, reference, errors)
            order.append(group)
            if isinstance(reference, str) and reference:
                groups[reference] = group
            if len(order) > MAX_REFERRALS:
                errors.add(number, "", f"the file holds more than {MAX_REFERRALS:,} referrals; split it")
                return []
    if header is None:
        errors.add(None, "", "the file has no header row")
        return []
    if not rows and not errors.items:
        errors.add(None, "", "the file has a header but no referrals")
        return []
    if errors.items:
        return []
    return [_draft_from_group(group) for group in order]


def _csv_header(cells: list[str], errors: _Errors) -> list[str] | None:
    names = [c.lower() for c in cells]
    before = len(errors)
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        letter = _column_letter(index)
        if not name:
            errors.add(1, f"column {letter}", "has no name in the header")
        elif name in seen:
            errors.add(1, _label(name), f"appears more than once in the header (columns "
                                        f"{_column_letter(seen[name])} and {letter})")
        elif name not in COLUMNS:
            errors.add(1, _label(name), f"is not a known column; the columns are: {', '.join(COLUMNS)}")
        seen.setdefault(name, index)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            errors.add(1, name, "is a required column and is missing from the header")
    return None if len(errors) > before else names


def _csv_row(cells: dict[str, str], number: int, now: datetime, errors: _Errors) -> _Row:
    chk = _Checker(errors, number, now)
    get = cells.get
    referral: dict[str, object] = {
        "source": chk.choice("source", get("source", ""), Source),
        "source_reference": chk.text("source_reference", get("source_reference", ""), max_chars=MAX_REFERENCE_CHARS),
        "received_at": chk.when("received_at", get("received_at", ""), required=True),
        "summary": chk.text(
            "summary", get("summary", ""), max_chars=MAX_SUMMARY_CHARS, required=True, multiline=True
        ),
        "immediate_danger": _csv_boolean(chk, "immediate_danger", get("immediate_danger", "")),
    }
    referral = {k: _BAD if v is None else v for k, v in referral.items()}
    has_subject = any(get(column, "").strip() for column in _SUBJECT_COLUMNS)
    subject = _csv_subject(chk, cells) if has_subject else None
    return _Row(number, referral, subject, has_subject)


def _csv_boolean(chk: _Checker, field: str, raw: str) -> bool | None:
    value = chk.text(field, raw, max_chars=100)
    if value is None:
        return None
    if value.lower() in _BOOLEANS:
        return _BOOLEANS[value.lower()]
    shown = f"{_show(value)} is not" if value else "is required:"
    chk.error(field, f"{shown} one of: yes, no, true, false")
    return None


def _split(value: str, separator: str) -> list[str]:
    return [part.strip() for part in value.split(separator) if part.strip()]


def _csv_subject(chk: _Checker, cells: dict[str, str]) -> SubjectDraft | None:
    before = len(chk.errors)
    get = cells.get
    role = chk.choice("subject_role", get("subject_role", ""), SubjectRole)
    given = chk.text("subject_given_names", get("subject_given_names", ""), max_chars=MAX_NAME_CHARS)
    family = chk.text("subject_family_name", get("subject_family_name", ""), max_chars=MAX_NAME_CHARS)
    dob = chk.birth_date("subject_date_of_birth", get("subject_date_of_birth", ""))
    sex = chk.choice("subject_sex", get("subject_sex", ""), Sex, default=Sex.UNKNOWN)
    addresses: list[str] = []
    cell = chk.text("subject_address", get("subject_address", ""), max_chars=MAX_FIELD_CHARS, formula=False)
    for part in _split(cell or "", "|"):
        address = chk.text("subject_address", part, max_chars=MAX_ADDRESS_CHARS)
        if address:
            addresses.append(address)
    identifiers: list[tuple[str, IdentifierDraft]] = []
    for column, kind in _IDENTIFIER_COLUMNS:
        cell = chk.text(column, get(column, ""), max_chars=MAX_FIELD_CHARS, formula=False)
        for part in _split(cell or "", ";"):
            ident = _csv_identifier(chk, column, kind, part)
            if ident is not None:
                identifiers.append((column, ident))
    _check_identifiers(chk, identifiers)
    if len(chk.errors) > before:
        return None
    assert role is not None and given is not None and family is not None and sex is not None
    return SubjectDraft(given, family, dob, sex, tuple(addresses), role, tuple(i for _, i in identifiers))


def _csv_identifier(chk: _Checker, column: str, kind: IdentifierKind, part: str) -> IdentifierDraft | None:
    platform = ""
    observed_at: datetime | None = None
    value: str | None = part
    if chk.text(column, part, max_chars=MAX_FIELD_CHARS, handle=kind is IdentifierKind.USERNAME) is None:
        return None  # the whole value, as a spreadsheet would see it on its own, before its parts
    if kind is IdentifierKind.USERNAME:
        platform, colon, name = part.partition(":")
        if not colon or not platform.strip() or not name.strip():
            chk.error(column, f"{_show(part)} is not platform:name (e.g. exampleapp:alex_example)")
            return None
        checked = chk.text(column, platform, max_chars=MAX_PLATFORM_CHARS)
        if checked is None:
            return None
        platform = checked
        value = chk.text(column, name, max_chars=MAX_IDENTIFIER_CHARS, handle=True)
    elif kind is IdentifierKind.IP and "@" in part:
        address, _, seen = part.partition("@")
        value = chk.text(column, address, max_chars=MAX_IDENTIFIER_CHARS)
        if not seen.strip():
            chk.error(column, f"{_show(part)} has '@' but no time after it (ip@2026-11-21T14:30:00Z)")
            return None
        observed_at = chk.when(column, seen, required=True)
        if observed_at is None:
            return None
    else:
        value = chk.text(column, part, max_chars=MAX_IDENTIFIER_CHARS)
    if not value:
        if value == "":
            chk.error(column, f"{_show(part)} has no value")
        return None
    return chk.identifier(kind, value, platform=platform, observed_at=observed_at, field=column, platform_field=column)


def _note_subject(group: _Group, row: _Row, reference: object, errors: _Errors) -> None:
    if row.subject is None:
        return
    key = _subject_key(row.subject)
    if key in group.subjects:
        errors.add(row.number, "", f"repeats the subject in row {group.subjects[key]} of the referral with "
                                   f"source_reference {_show(str(reference))}")
    else:
        group.subjects[key] = row.number


def _join_group(group: _Group, row: _Row, reference: str, errors: _Errors) -> None:
    first = group.first
    for column in _REFERRAL_COLUMNS:
        mine, theirs = row.referral[column], first.referral[column]
        if mine is not _BAD and theirs is not _BAD and mine != theirs:
            errors.add(row.number, column, f"differs from row {first.number}, which has the same source_reference "
                                           f"{_show(reference)}; the rows of one referral must agree")
    if not row.has_subject:
        errors.add(row.number, "", f"repeats the referral in row {first.number} (same source_reference "
                                   f"{_show(reference)}) without adding a subject")
    group.rows.append(row)
    _note_subject(group, row, reference, errors)


def _locator(numbers: Sequence[int]) -> str:
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    text = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in spans)
    return f"{'row' if len(numbers) == 1 else 'rows'} {text}"


def _draft_from_group(group: _Group) -> ReferralDraft:
    values = group.first.referral
    source, reference, received_at, summary, danger = (
        values["source"], values["source_reference"], values["received_at"], values["summary"], values["immediate_danger"]
    )
    assert isinstance(source, Source) and isinstance(reference, str) and isinstance(received_at, datetime)
    assert isinstance(summary, str) and isinstance(danger, bool)
    subjects = tuple(row.subject for row in group.rows if row.subject is not None)
    return ReferralDraft(
        source, reference, received_at, summary, danger, subjects, _locator([row.number for row in group.rows])
    )


def csv_template() -> str:
    """The CSV header and one plainly fictional example row, for "download a template"."""
    example = {
        "source": Source.NCMEC.value,
        "source_reference": "CT-EXAMPLE-0001",
        "received_at": "2026-11-20T09:30:00Z",
        "summary": "Fictional example. Replace this row with real referrals; keep the header row.",
        "immediate_danger": "no",
        "subject_role": SubjectRole.REPORTED.value,
        "subject_given_names": "Alex",
        "subject_family_name": "Example",
        "subject_date_of_birth": "1990-01-01",
        "subject_sex": Sex.UNKNOWN.value,
        "subject_address": "1 Example Street, Exampletown, EX1 1AA",
        "emails": "alex.example@example.com",
        "phones": "07700 900123",  # national form: a leading + would be read as a formula by spreadsheets
        "usernames": "exampleapp:alex_example",
        "ip_addresses": "192.0.2.10@2026-11-19T22:15:00Z",
        "device_ids": "",
    }
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow([example[c] for c in COLUMNS])
    return out.getvalue()


# --------------------------------------------------------------------------------------------------------------
# The one gate: every channel's drafts (form, API, file, CyberTipline) pass the same text rules before recording


def draft_problems(draft: ReferralDraft) -> list[FieldError]:
    """Every text field of a draft checked against the rules the form, API and file imports apply, named as the
    API names them (`subjects[1].identifiers[2].value`). A draft that came through `referral_from_mapping` or a
    file has passed these already; a draft built from another format (a CyberTipline package) is held to them here.
    """
    problems: list[FieldError] = []
    where = f"{draft.locator}: " if draft.locator else ""

    def check(field: str, raw: str, *, multiline: bool = False, handle: bool = False) -> None:
        problem = _text_problem(raw, multiline=multiline, formula=True, handle=handle)
        if problem:
            problems.append(FieldError(None, field, where + problem))

    check("source_reference", draft.source_reference)
    check("summary", draft.summary, multiline=True)
    for n, subject in enumerate(draft.subjects, start=1):
        p = f"subjects[{n}]."
        check(p + "given_names", subject.given_names)
        check(p + "family_name", subject.family_name)
        for m, address in enumerate(subject.addresses, start=1):
            check(f"{p}addresses[{m}]", address)
        for k, ident in enumerate(subject.identifiers, start=1):
            check(f"{p}identifiers[{k}].value", ident.value, handle=ident.kind is IdentifierKind.USERNAME)
            check(f"{p}identifiers[{k}].platform", ident.platform)
    return problems


def text_problem(raw: str, *, multiline: bool = False, formula: bool = True, handle: bool = False) -> str | None:
    """Why a piece of text breaks the intake rules (NUL, stray CR, control and bidi-override characters, markup,
    a spreadsheet formula), or None. For formats parsed elsewhere (CyberTipline) that must meet the same rules."""
    return _text_problem(raw, multiline=multiline, formula=formula, handle=handle)
