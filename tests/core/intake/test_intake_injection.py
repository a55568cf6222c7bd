"""Hostile strings: spreadsheet formulas, markup, control characters and NUL, refused naming row and field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from .support import GOOD_ITEM, csv_bytes, find, good_row, json_bytes, parse, refused

FORMULAS = [
    '=HYPERLINK("http://example.com","click")',
    "@SUM(A1)",
    "=1+1",
    "+A1",
    "-2+3+cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "- bullet point",
    "  =padded",
]
MARKUP = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "</textarea>",
    "<!-- comment -->",
    "<?xml version='1.0'?>",
    "hello <b>bold</b>",
    "<é>",
]


@pytest.mark.parametrize("value", FORMULAS)
@pytest.mark.parametrize("field", ["summary", "subject_family_name", "source_reference", "subject_address"])
def test_it_refuses_spreadsheet_formulas_in_csv_naming_row_and_field(field: str, value: str) -> None:
    data = csv_bytes([good_row(), {**good_row(source_reference="CT-2"), field: value}])
    error = find(refused(data), row=3, field=field)
    assert "looks like a spreadsheet formula" in error.reason


@pytest.mark.parametrize(
    ("field", "value"),
    [("emails", "alex@example.com;=cmd|x"), ("phones", "+44 7700 900123;-1+cmd|x"), ("usernames", "app:=1"),
     ("usernames", "=app:name"), ("usernames", "app:@SUM(A1)"), ("ip_addresses", "@SUM(A1)")],
)
def test_it_refuses_formulas_hidden_among_several_values_in_one_cell(field: str, value: str) -> None:
    error = find(refused(csv_bytes([good_row(**{field: value})])), row=2, field=field)
    assert "looks like a spreadsheet formula" in error.reason


@pytest.mark.parametrize("value", MARKUP)
@pytest.mark.parametrize("field", ["summary", "subject_given_names", "subject_address", "emails"])
def test_it_refuses_markup_in_csv_naming_row_and_field(field: str, value: str) -> None:
    data = csv_bytes([good_row(), good_row(source_reference="CT-2", **{field: value})])
    error = find(refused(data), row=3, field=field)
    assert "markup is not accepted" in error.reason


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("summary", "child said to be <13; meeting at 3 < 4 o'clock"),
        ("summary", "Subject wrote 'x = y' and 1+1"),
        ("subject_family_name", "O'Neil-Example"),
        ("source_reference", "-1234"),
        ("phones", "+44 (0)20 7946 0000;+44 7700 900123"),
        ("usernames", "exampleapp:@alex_example"),
        ("subject_address", "Flat 2 | 1 Example Street"),
    ],
)
def test_it_accepts_ordinary_values_that_merely_contain_these_characters(field: str, value: str) -> None:
    (draft,) = parse(csv_bytes([good_row(**{field: value})]))
    assert draft.source is not None


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("summary", "a\x00b", "NUL"),
        ("subject_family_name", "a\x00b", "NUL"),
        ("summary", "bell\x07", "U+0007"),
        ("summary", "esc\x1b[31m", "U+001B"),
        ("summary", "c1\x85", "U+0085"),
        ("summary", "rtl\u202eevil", "U+202E"),
        ("summary", "sep\u2028", "U+2028"),
        ("subject_given_names", "tab\tinside", "U+0009"),
        ("subject_given_names", "two\nlines", "line break"),
        ("subject_given_names", "\x1fedge", "U+001F"),  # str.strip() would silently drop it
        ("source_reference", "del\x7f", "U+007F"),
    ],
)
def test_it_refuses_control_characters_and_nul(field: str, value: str, expected: str) -> None:
    error = find(refused(csv_bytes([good_row(**{field: value})])), row=2, field=field)
    assert expected in error.reason


def test_it_refuses_a_summary_that_starts_with_a_tab_as_a_formula() -> None:
    error = find(refused(csv_bytes([good_row(summary="\tindented first line")])), row=2, field="summary")
    assert "looks like a spreadsheet formula" in error.reason


def test_it_allows_newlines_and_tabs_inside_a_summary() -> None:
    (draft,) = parse(csv_bytes([good_row(summary="first line\n\tindented second line")]))
    assert draft.summary == "first line\n\tindented second line"


def _item(**changes: Any) -> dict[str, Any]:
    item = copy.deepcopy(GOOD_ITEM)
    item.update(changes)
    return item


@pytest.mark.parametrize("value", ['=HYPERLINK("http://example.com")', "@SUM(A1)", *MARKUP[:2]])
def test_it_refuses_hostile_values_in_json_naming_item_and_field(value: str) -> None:
    subject = dict(GOOD_ITEM["subjects"][0], family_name=value)
    errors = refused(json_bytes([_item(), _item(source_reference="CT-2", summary=value, subjects=[subject])]))
    assert {(e.row, e.field) for e in errors} == {(2, "summary"), (2, "subjects[1].family_name")}
    assert all(e.row_label == "item" for e in errors)


def test_it_refuses_json_lone_cr_nul_and_lone_surrogates() -> None:
    data = json_bytes([_item(summary="a\rb", source_reference="x\u0000y")]).replace(b"x\\u0000y", b"x\\u0000y")
    data = data.replace(b'"family_name": "Example"', b'"family_name": "\\ud800"')
    errors = refused(data)
    assert {(e.field, e.reason.split(" ")[1]) for e in errors} == {
        ("summary", "a"), ("source_reference", "a"), ("subjects[1].family_name", "the"),
    }
    assert "U+D800" in find(errors, row=1, field="subjects[1].family_name").reason


def test_it_treats_a_leading_blank_line_in_a_summary_as_whitespace_not_a_formula() -> None:
    (draft,) = parse(csv_bytes([good_row(summary="\r\n\r\nText after blank lines")]))
    assert draft.summary == "Text after blank lines"
    error = find(refused(csv_bytes([good_row(summary="\r\n=1")])), row=2, field="summary")
    assert "looks like a spreadsheet formula" in error.reason
