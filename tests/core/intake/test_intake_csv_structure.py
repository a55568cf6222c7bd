"""CSV structure: header problems, ragged rows, duplicate rows, and rows of one referral that disagree."""

from __future__ import annotations

from winnow.core.intake import COLUMNS

from .support import csv_bytes, good_row, parse, refused


def test_it_names_every_missing_required_column() -> None:
    columns = [c for c in COLUMNS if c not in ("received_at", "immediate_danger")]
    errors = refused(csv_bytes([good_row()], columns=columns))
    assert {(e.row, e.field) for e in errors} == {(1, "received_at"), (1, "immediate_danger")}
    assert all("required column" in e.reason for e in errors)


def test_it_names_duplicate_columns_and_where_they_are() -> None:
    errors = refused(csv_bytes([good_row()], columns=[*COLUMNS, "emails"]))
    (error,) = errors
    assert (error.row, error.field) == (1, "emails") and "columns L and Q" in error.reason


def test_it_names_unknown_columns_and_lists_the_known_ones() -> None:
    errors = refused(csv_bytes([good_row()], columns=[*COLUMNS, "nickname", "Notes"]))
    assert [(e.row, e.field) for e in errors] == [(1, "nickname"), (1, "notes")]
    assert "subject_given_names" in errors[0].reason


def test_it_names_a_header_cell_with_no_name_by_its_column_letter() -> None:
    (error,) = refused(csv_bytes([good_row()], columns=["source", "", *COLUMNS[1:]]))
    assert (error.row, error.field) == (1, "column B")


def test_it_shows_hostile_column_names_escaped() -> None:
    (error,) = refused(csv_bytes([good_row()], columns=[*COLUMNS, "bad\x1bname"]))
    assert error.field == "bad\\x1bname"


def test_it_refuses_a_row_with_too_many_or_too_few_cells() -> None:
    data = csv_bytes([good_row()]) + b"ncmec,CT-2,2026-11-20T09:30:00Z,short,no\r\n" + csv_bytes(
        [good_row(source_reference="CT-3")]
    ).split(b"\r\n", 1)[1].replace(b"\r\n", b",extra\r\n")
    errors = refused(data)
    assert [(e.row, e.field) for e in errors] == [(3, ""), (4, "")]
    assert "5 cells" in errors[0].reason and "17 cells" in errors[1].reason


def test_it_ignores_trailing_empty_cells_beyond_the_header() -> None:
    data = csv_bytes([good_row()]).replace(b"Z,\r\n", b"Z,,,\r\n")
    assert len(parse(data)) == 1


def test_it_refuses_an_identical_row_naming_both_rows() -> None:
    data = csv_bytes([good_row(), good_row(source_reference="CT-2"), good_row()])
    (error,) = refused(data)
    assert error.row == 4 and "row 2" in error.reason


def test_it_treats_rows_differing_only_in_surrounding_spaces_as_identical() -> None:
    data = csv_bytes([good_row(source_reference=""), good_row(source_reference="", summary=f" {good_row()['summary']} ")])
    (error,) = refused(data)
    assert error.row == 3 and "identical to row 2" in error.reason


def test_it_refuses_the_same_subject_twice_in_one_referral_naming_both_rows() -> None:
    data = csv_bytes([good_row(), good_row(subject_given_names="ALEX", emails="other@example.com")])
    (error,) = refused(data)
    assert error.row == 3 and "row 2" in error.reason and "CT-0001" in error.reason


def test_it_accepts_two_unnamed_subjects_that_differ() -> None:
    unnamed = {"subject_given_names": "", "subject_family_name": "", "subject_date_of_birth": "",
               "usernames": "", "ip_addresses": "", "phones": "", "subject_address": ""}
    data = csv_bytes([good_row(**unnamed, emails="a@example.com"), good_row(**unnamed, emails="b@example.com")])
    (draft,) = parse(data)
    assert len(draft.subjects) == 2


def test_it_refuses_rows_of_one_referral_that_disagree_naming_row_and_field() -> None:
    data = csv_bytes([
        good_row(),
        good_row(subject_given_names="Bo", summary="Another summary", immediate_danger="yes"),
        good_row(subject_given_names="Cy", received_at="2026-11-20T09:30:00+00:00"),  # same instant: agrees
    ])
    errors = refused(data)
    assert [(e.row, e.field) for e in errors] == [(3, "summary"), (3, "immediate_danger")]
    assert "row 2" in errors[0].reason and "CT-0001" in errors[0].reason


def test_it_refuses_a_row_that_repeats_a_referral_without_a_subject() -> None:
    no_subject = {c: "" for c in COLUMNS[5:]}
    data = csv_bytes([good_row(), good_row(**no_subject)])
    (error,) = refused(data)
    assert error.row == 3 and "without adding a subject" in error.reason


def test_it_collects_every_error_rather_than_stopping_at_the_first() -> None:
    data = csv_bytes([
        good_row(source="nca"),
        good_row(source_reference="CT-2", received_at="yesterday"),
        good_row(source_reference="CT-3", subject_date_of_birth="2031-01-01", emails="not-an-email"),
    ])
    errors = refused(data)
    assert [(e.row, e.field) for e in errors] == [
        (2, "source"), (3, "received_at"), (4, "subject_date_of_birth"), (4, "emails"),
    ]
