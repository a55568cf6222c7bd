"""CSV files: the columns, header checks, one row per subject, rows sharing a source_reference grouped into one
referral, and `csv_template`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from winnow.core.identifiers import IdentifierKind
from winnow.core.intake.checks import _check_identifiers, _Checker, _Errors, _label, _show, _subject_key
from winnow.core.intake.drafts import (
    MAX_ADDRESS_CHARS,
    MAX_FIELD_CHARS,
    MAX_IDENTIFIER_CHARS,
    MAX_NAME_CHARS,
    MAX_PLATFORM_CHARS,
    MAX_REFERENCE_CHARS,
    MAX_REFERRALS,
    MAX_SUMMARY_CHARS,
    IdentifierDraft,
    ReferralDraft,
    Sex,
    Source,
    SubjectDraft,
    SubjectRole,
)

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
                lines = (
                    f"{start_line}" if reader.line_num <= start_line else f"{start_line}-{reader.line_num}"
                )
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
            fitted = _fit_to_header(record, cells, header, number, errors)
            if fitted is None:
                continue
            record, cells = fitted
            key = tuple(cells)
            if key in seen_rows:
                errors.add(number, "", f"is identical to row {seen_rows[key]}")
                continue
            seen_rows[key] = number
            row = _csv_row(dict(zip(header, record, strict=True)), number, now, errors)
            rows.append(row)
            _group_row(row, groups, order, errors)
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


def _fit_to_header(
    record: list[str], cells: list[str], header: list[str], number: int, errors: _Errors
) -> tuple[list[str], list[str]] | None:
    """The record and its trimmed cells, extra empty cells dropped; None (the errors added) when it does not fit."""
    if len(cells) > len(header) and not any(cells[len(header) :]):
        record, cells = record[: len(header)], cells[: len(header)]
    if len(cells) != len(header):
        errors.add(number, "", f"has {len(cells)} cells but the header has {len(header)} columns")
        return None
    too_long = [name for name, cell in zip(header, record, strict=True) if len(cell) > MAX_FIELD_CHARS]
    for name in too_long:
        errors.add(number, name, f"is longer than {MAX_FIELD_CHARS:,} characters")
    if too_long:
        return None
    return record, cells


def _group_row(row: _Row, groups: dict[str, _Group], order: list[_Group], errors: _Errors) -> None:
    """Add the row to its referral: a further row of a source_reference already seen, or a new referral."""
    reference = row.referral.get("source_reference")
    if isinstance(reference, str) and reference:
        group = groups.get(reference)
        if group is not None:
            _join_group(group, row, reference, errors)
            return
    group = _Group(row, [row], {})
    _note_subject(group, row, reference, errors)
    order.append(group)
    if isinstance(reference, str) and reference:
        groups[reference] = group


def _csv_header(cells: list[str], errors: _Errors) -> list[str] | None:
    names = [c.lower() for c in cells]
    before = len(errors)
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        letter = _column_letter(index)
        if not name:
            errors.add(1, f"column {letter}", "has no name in the header")
        elif name in seen:
            errors.add(
                1,
                _label(name),
                f"appears more than once in the header (columns {_column_letter(seen[name])} and {letter})",
            )
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
        "source_reference": chk.text(
            "source_reference", get("source_reference", ""), max_chars=MAX_REFERENCE_CHARS
        ),
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
    return chk.identifier(
        kind, value, platform=platform, observed_at=observed_at, field=column, platform_field=column
    )


def _note_subject(group: _Group, row: _Row, reference: object, errors: _Errors) -> None:
    if row.subject is None:
        return
    key = _subject_key(row.subject)
    if key in group.subjects:
        errors.add(
            row.number,
            "",
            f"repeats the subject in row {group.subjects[key]} of the referral with "
            f"source_reference {_show(str(reference))}",
        )
    else:
        group.subjects[key] = row.number


def _join_group(group: _Group, row: _Row, reference: str, errors: _Errors) -> None:
    first = group.first
    for column in _REFERRAL_COLUMNS:
        mine, theirs = row.referral[column], first.referral[column]
        if mine is not _BAD and theirs is not _BAD and mine != theirs:
            errors.add(
                row.number,
                column,
                f"differs from row {first.number}, which has the same source_reference "
                f"{_show(reference)}; the rows of one referral must agree",
            )
    if not row.has_subject:
        errors.add(
            row.number,
            "",
            f"repeats the referral in row {first.number} (same source_reference "
            f"{_show(reference)}) without adding a subject",
        )
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
        values["source"],
        values["source_reference"],
        values["received_at"],
        values["summary"],
        values["immediate_danger"],
    )
    assert isinstance(source, Source) and isinstance(reference, str) and isinstance(received_at, datetime)
    assert isinstance(summary, str) and isinstance(danger, bool)
    subjects = tuple(row.subject for row in group.rows if row.subject is not None)
    return ReferralDraft(
        source,
        reference,
        received_at,
        summary,
        danger,
        subjects,
        _locator([row.number for row in group.rows]),
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


def fictional_referrals_csv(n: int, *, bad_row: int | None = None, prefix: str = "CT") -> bytes:
    """A CSV of `n` fictional referrals built from the template's example row, for tests and benchmarks: each row its
    own person (identifiers shared by every row would link each referral to all the others); `bad_row` (1-based
    data row) gets an impossible date."""
    header, example_row = list(csv.reader(io.StringIO(csv_template())))
    example = dict(zip(header, example_row, strict=True))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for i in range(1, n + 1):
        row = example | {"source_reference": f"{prefix}-{i:05d}", "subject_family_name": f"Example{i}",
                         "emails": f"person{i}@example.com", "usernames": f"exampleapp:person_{i}",
                         "phones": f"07700 900{i % 1000:03d}" if i < 1000 else "", "ip_addresses": ""}
        if i == bad_row:
            row["received_at"] = "31/02/2026"
        writer.writerow(row[c] for c in header)
    return out.getvalue().encode()
