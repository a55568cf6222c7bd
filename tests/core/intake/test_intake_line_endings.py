"""Line endings: CRLF, LF and a mix are accepted with row numbers intact; a lone CR is refused."""

from __future__ import annotations

from .support import csv_bytes, find, good_row, parse, refused


def test_it_accepts_mixed_crlf_and_lf_and_keeps_row_numbers_right() -> None:
    lines = csv_bytes([good_row(), good_row(source_reference="CT-0002"), good_row(source_reference="CT-0003",
                                                                                   received_at="not a date")],
                      newline="\n").split(b"\n")
    mixed = lines[0] + b"\r\n" + lines[1] + b"\n" + lines[2] + b"\r\n" + lines[3] + b"\n"
    assert b"\r\n" in mixed and mixed.count(b"\n") > mixed.count(b"\r\n")
    errors = refused(mixed)
    assert [(e.row, e.field) for e in errors] == [(4, "received_at")]


def test_it_accepts_a_mixed_file_with_no_errors() -> None:
    one = csv_bytes([good_row(), good_row(source_reference="CT-0002")], newline="\n").split(b"\n")
    mixed = b"\r\n".join(one[:2]) + b"\n" + one[2] + b"\r\n"
    assert [d.locator for d in parse(mixed)] == ["row 2", "row 3"]


def test_it_counts_rows_as_a_spreadsheet_does_when_a_cell_spans_lines() -> None:
    data = csv_bytes([
        good_row(summary="line one\r\nline two\nline three"),
        good_row(source_reference="CT-0002", subject_date_of_birth="1899-12-31"),
    ])
    error = find(refused(data), row=3, field="subject_date_of_birth")
    assert "1900" in error.reason


def test_it_refuses_a_lone_cr_inside_a_quoted_cell() -> None:
    data = csv_bytes([good_row(), good_row(source_reference="CT-0002", summary="first\rsecond")])
    error = find(refused(data), row=3, field="summary")
    assert "carriage return" in error.reason


def test_it_refuses_a_lone_cr_in_a_single_line_cell() -> None:
    data = csv_bytes([good_row(subject_family_name="Exa\rmple")])
    assert "carriage return" in find(refused(data), row=2, field="subject_family_name").reason


def test_it_refuses_old_mac_line_endings_naming_the_row_and_line() -> None:
    data = csv_bytes([good_row(), good_row(source_reference="CT-0002")], newline="\n")
    broken = data.replace(b"\nncmec,CT-0002", b"\rncmec,CT-0002")
    (error,) = refused(broken)
    assert error.row == 2 and "line 2" in error.reason and "carriage return" in error.reason
