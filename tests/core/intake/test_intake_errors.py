"""How problems read: FieldError and IntakeError as people and logs see them."""

from __future__ import annotations

import pickle

from winnow.core.intake import MAX_ERRORS, FieldError, IntakeError

from .support import csv_bytes, good_row, refused


def test_it_reads_a_field_error_as_place_then_reason() -> None:
    assert str(FieldError(3, "received_at", "is required")) == "row 3, field 'received_at': is required"
    assert str(FieldError(2, "summary", "is required", "item")) == "item 2, field 'summary': is required"
    assert str(FieldError(4, "", "is identical to row 2")) == "row 4: is identical to row 2"
    assert str(FieldError(None, "", "the file is empty")) == "the file is empty"


def test_it_lists_at_most_50_errors_then_says_how_many_more() -> None:
    error = IntakeError([FieldError(n, "summary", "is required") for n in range(2, 122)], filename="r.csv")
    text = str(error)
    assert text.startswith("r.csv: 120 problems found:")
    assert "row 51, field 'summary'" in text and "row 52," not in text
    assert text.endswith("... and 70 more")
    assert len(error.errors) == 120


def test_it_survives_pickling_for_task_queues() -> None:
    error = IntakeError([FieldError(1, "source", "is required")], filename="r.csv")
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, just made
    assert again.errors == error.errors and again.filename == "r.csv"


def test_it_stops_collecting_after_a_thousand_errors() -> None:
    rows = [good_row(source_reference=f"R{n}", source="x", received_at="x") for n in range(MAX_ERRORS)]
    errors = refused(csv_bytes(rows))
    assert len(errors) == MAX_ERRORS + 1
    assert "stopped after 1,000" in errors[-1].reason


def test_it_shows_hostile_values_escaped_and_shortened_in_reasons() -> None:
    errors = refused(csv_bytes([good_row(source="\u200bncmec" + "x" * 80)]))  # zero-width space: shown, escaped
    reason = errors[0].reason
    assert "\u200b" not in reason and "\\u200b" in reason and "(86 characters)" in reason and len(reason) < 200
