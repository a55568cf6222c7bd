"""Error collection and the value checks shared by CSV, JSON and single referrals: the text rules, times, dates,
choices and identifiers (`_Checker`), and the duplicate checks on a referral's subjects and identifiers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TypeVar

from winnow.core.identifiers import IdentifierError, IdentifierKind, normalise
from winnow.core.intake.drafts import (
    EARLIEST_BIRTH,
    EARLIEST_RECEIVED,
    FUTURE_TOLERANCE,
    LONDON,
    MAX_ERRORS,
    MAX_IDENTIFIER_CHARS,
    FieldError,
    IdentifierDraft,
    SubjectDraft,
)


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
                    self.error(
                        field, f"{_show(value)} has no time of day; give a date and time, {_TIME_EXAMPLE}"
                    )
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
                what = (
                    "does not exist in UK time (the clocks went forward)"
                    if back != moment
                    else ("happens twice in UK time (the clocks went back)")
                )
                self.error(field, f"{moment.isoformat()} {what}; give the UTC offset, e.g. +00:00 or +01:00")
                return None
            moment = local
        utc = moment.astimezone(UTC)
        if utc < EARLIEST_RECEIVED:
            self.error(field, f"{utc.isoformat()} is before {EARLIEST_RECEIVED.year}")
            return None
        if utc > self.now + FUTURE_TOLERANCE:
            self.error(
                field, f"{utc.isoformat()} is in the future (now is {self.now.astimezone(UTC).isoformat()})"
            )
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
        return (
            subject.role,
            subject.given_names.casefold(),
            subject.family_name.casefold(),
            subject.date_of_birth,
        )
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
