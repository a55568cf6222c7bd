"""One referral as a JSON-like mapping (a JSON item, the API body, the web form): `referral_from_mapping`; one
person added to a referral already recorded: `subject_from_mapping`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from winnow.core.identifiers import IdentifierKind
from winnow.core.intake.checks import _check_identifiers, _check_subjects, _Checker, _Errors, _label, _Stop
from winnow.core.intake.drafts import (
    MAX_ADDRESS_CHARS,
    MAX_ERRORS,
    MAX_IDENTIFIER_CHARS,
    MAX_NAME_CHARS,
    MAX_PLATFORM_CHARS,
    MAX_REFERENCE_CHARS,
    MAX_SUMMARY_CHARS,
    FieldError,
    IdentifierDraft,
    IntakeError,
    ReferralDraft,
    Sex,
    Source,
    SubjectDraft,
    SubjectRole,
)

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
            chk.error(
                prefix + _label(str(key)), f"is not a known field; the fields are: {', '.join(allowed)}"
            )
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
    p = f"{path}." if path else ""  # "" for a person on their own (subject_from_mapping)
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
        elif address := chk.text(field, item, max_chars=MAX_ADDRESS_CHARS):
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
            p + "value",
            raw,
            max_chars=MAX_IDENTIFIER_CHARS,
            required=True,
            handle=kind is IdentifierKind.USERNAME,
        )
    raw_seen = obj.get("observed_at")
    if isinstance(raw_seen, datetime):
        observed_at = chk.when(p + "observed_at", raw_seen, required=False)
    elif (raw := _string(chk, obj, "observed_at", p)) is not None:
        observed_at = chk.when(p + "observed_at", raw, required=False)
    if len(chk.errors) > before or kind is None or value is None or platform is None:
        return None
    return chk.identifier(
        kind,
        value,
        platform=platform,
        observed_at=observed_at,
        field=p + "value",
        platform_field=p + "platform",
    )


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")


def referral_from_mapping(
    data: Mapping[str, object], *, now: datetime, row: int | None = None
) -> ReferralDraft:
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


def subject_from_mapping(data: Mapping[str, object], *, now: datetime) -> SubjectDraft:
    """Validate one person given as a JSON-like mapping, by the rules a referral's subjects meet (a person added to
    a referral after intake: the API body, the web form). Fields are named without a prefix (`identifiers[2].value`).
    The role is required, as in a referral. Raises IntakeError listing every problem."""
    _require_aware(now)
    errors = _Errors("item")
    chk = _Checker(errors, None, now)
    try:
        subject = _mapping_subject(chk, data, "")
    except _Stop:
        errors.items.append(FieldError(None, "", f"stopped after {MAX_ERRORS:,} problems"))
        subject = None
    if errors.items or subject is None:
        raise IntakeError(errors.items or [FieldError(None, "", "is not a valid person")])
    return subject
