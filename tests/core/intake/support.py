"""Shared helpers for the intake tests: a fixed clock, CSV/JSON builders, and "parse and expect refusal"."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from winnow.core.intake import COLUMNS, FieldError, IntakeError, ReferralDraft, parse_referral_file

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
MAX_BYTES = 10 * 1024 * 1024

GOOD_ROW: dict[str, str] = {
    "source": "ncmec",
    "source_reference": "CT-0001",
    "received_at": "2026-11-20T09:30:00Z",
    "summary": "Fictional referral about a fictional account.",
    "immediate_danger": "no",
    "subject_role": "reported",
    "subject_given_names": "Alex",
    "subject_family_name": "Example",
    "subject_date_of_birth": "1990-01-01",
    "subject_sex": "unknown",
    "subject_address": "1 Example Street, Exampletown",
    "emails": "alex@example.com",
    "phones": "07700 900123",
    "usernames": "exampleapp:alex_example",
    "ip_addresses": "192.0.2.10@2026-11-19T22:15:00Z",
    "device_ids": "",
}


def csv_bytes(
    rows: Sequence[Mapping[str, str]], *, columns: Sequence[str] = COLUMNS, newline: str = "\r\n"
) -> bytes:
    """A CSV file with `columns` as header; each row gives some cells (the rest are empty)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue().encode("utf-8")


def good_row(**changes: str) -> dict[str, str]:
    return {**GOOD_ROW, **changes}


def json_bytes(document: Any) -> bytes:
    return json.dumps(document).encode("utf-8")


GOOD_ITEM: dict[str, Any] = {
    "source": "ncmec",
    "source_reference": "CT-0001",
    "received_at": "2026-11-20T09:30:00Z",
    "summary": "Fictional referral about a fictional account.",
    "immediate_danger": False,
    "subjects": [
        {
            "role": "reported",
            "given_names": "Alex",
            "family_name": "Example",
            "date_of_birth": "1990-01-01",
            "sex": "unknown",
            "addresses": ["1 Example Street, Exampletown"],
            "identifiers": [
                {"kind": "email", "value": "alex@example.com"},
                {"kind": "phone", "value": "07700 900123"},
                {"kind": "username", "value": "alex_example", "platform": "exampleapp"},
                {"kind": "ip", "value": "192.0.2.10", "observed_at": "2026-11-19T22:15:00Z"},
            ],
        }
    ],
}


def parse(data: bytes, *, max_bytes: int = MAX_BYTES, filename: str = "referrals") -> list[ReferralDraft]:
    return parse_referral_file(data, filename=filename, now=NOW, max_bytes=max_bytes)


def refused(data: bytes, *, max_bytes: int = MAX_BYTES) -> list[FieldError]:
    """Parse `data`, which must be refused; return the errors."""
    with pytest.raises(IntakeError) as caught:
        parse(data, max_bytes=max_bytes)
    assert caught.value.errors, "an IntakeError must say what is wrong"
    return caught.value.errors


def find(errors: Sequence[FieldError], *, row: int | None, field: str) -> FieldError:
    """The error at (row, field); fails listing all errors when there is none."""
    hits = [e for e in errors if e.row == row and e.field == field]
    assert hits, f"no error at row {row}, field {field!r}; got: {[str(e) for e in errors]}"
    return hits[0]


