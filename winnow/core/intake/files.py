"""Whole files: `parse_referral_file` tells JSON from CSV, checks size and encoding, and collects every problem."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from winnow.core.intake.checks import _Errors, _label, _Stop
from winnow.core.intake.csv_files import _csv_field_limit, _parse_csv
from winnow.core.intake.drafts import _BOM, MAX_ERRORS, FieldError, IntakeError, ReferralDraft
from winnow.core.intake.json_files import _parse_json
from winnow.core.intake.mapping import _require_aware


def parse_referral_file(data: bytes, *, filename: str, now: datetime, max_bytes: int) -> list[ReferralDraft]:
    """Validate a whole CSV or JSON file into drafts (in file order), or raise IntakeError with every problem."""
    _require_aware(now)
    if len(data) > max_bytes:
        raise IntakeError(
            [FieldError(None, "", f"the file is {len(data):,} bytes; the limit is {max_bytes:,} bytes")],
            filename,
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
        errors.items.append(
            FieldError(None, "", f"stopped after {MAX_ERRORS:,} problems; correct these first")
        )
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
