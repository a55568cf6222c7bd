"""`winnow validate --csv` input: every bad file gets one clear error naming row and field, never a traceback."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from winnow.core.validation import BandScale, ValidationInputError, read_cases, validate


def cases(text: str) -> list:
    return read_cases(text.encode("utf-8"))


def test_it_reads_bands_and_outcomes() -> None:
    result = cases("band,outcome\nlow,no\nVery High,yes\nhigh,unknown\n")
    assert [(c.band, c.outcome) for c in result] == [("low", False), ("very_high", True), ("high", None)]


def test_it_accepts_the_byte_order_mark_excel_writes() -> None:
    result = read_cases(b"\xef\xbb\xbfband,outcome\r\nlow,no\r\n")
    assert result[0].band == "low"


def test_it_refuses_utf16_with_a_reason() -> None:
    with pytest.raises(ValidationInputError, match="UTF-16"):
        read_cases("band,outcome\nlow,no\n".encode("utf-16"))


def test_it_refuses_bytes_that_are_not_utf8_and_says_which_row() -> None:
    with pytest.raises(ValidationInputError) as caught:
        read_cases("band,outcome\nlow,no\nhigh,yés\n".encode("latin-1"))
    assert caught.value.row == 3
    assert "not UTF-8" in str(caught.value)


@pytest.mark.parametrize(("text", "row", "field", "message"), [
    ("score,outcome\n3,no\nthree,yes\n", 3, "score", "'three' is not a number"),
    ("score,outcome\n3,no\nnan,yes\n", 3, "score", "not a finite number"),
    ("band,outcome\nlow,no\nsevere,yes\n", 3, "band", "unknown band id 'severe'"),
    ("band,outcome\nlow,maybe\n", 2, "outcome", "'maybe' is not yes, no or unknown"),
    ("band,outcome\nlow,\n", 2, "outcome", "empty: write yes, no or unknown"),
    ("band,outcome\n,no\n", 2, "band", "every case needs a band or a score"),
    ("band,outcome,expected\nlow,no,1.5\n", 2, "expected", "not a probability"),
    ("band,outcome,closed_on\nlow,no,31/12/2025\n", 2, "closed_on", "not a date"),
    ("band,outcome\nlow,no,extra\n", 2, None, "3 cells but the header has 2 columns"),
])
def test_it_names_the_row_and_field(text: str, row: int, field: str | None, message: str) -> None:
    with pytest.raises(ValidationInputError) as caught:
        cases(text)
    assert caught.value.row == row and caught.value.field == field
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"row {row}")


@pytest.mark.parametrize(("text", "message"), [
    ("", "the file is empty"),
    ("band,score\nlow,1\n", "no 'outcome' column"),
    ("outcome\nyes\n", "needs a 'band' or a 'score' column"),
    ("band,outcome,colour\nlow,no,red\n", "unknown column(s): colour"),
    ("band,band,outcome\nlow,low,no\n", "columns named more than once: band"),
    ("band,outcome\n", "no cases"),
])
def test_it_explains_a_bad_header(text: str, message: str) -> None:
    with pytest.raises(ValidationInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        cases(text)


def test_it_lists_several_problems_at_once() -> None:
    with pytest.raises(ValidationInputError) as caught:
        cases("score,outcome\nx,no\ny,yes\n1,perhaps\n")
    assert caught.value.problems == [
        "row 2, field 'score': 'x' is not a number",
        "row 3, field 'score': 'y' is not a number",
        "row 4, field 'outcome': 'perhaps' is not yes, no or unknown",
    ]


@pytest.mark.parametrize(("text", "message"), [
    ("band,outcome\nlow,unknown\nhigh,unknown\n", "all 2 cases have an unknown outcome"),
    ("band,outcome\nlow,no\nhigh,no\n", "no events"),
    ("band,outcome\nlow,yes\nhigh,yes\n", "one class only"),
])
def test_it_refuses_a_sample_that_cannot_be_judged(text: str, message: str) -> None:
    with pytest.raises(ValidationInputError, match=message):
        validate(cases(text))


def test_it_reads_an_instruments_own_band_ids() -> None:
    scale = BandScale(("routine", "priority", "urgent"), "priority")
    result = read_cases(b"band,outcome\nurgent,yes\nroutine,no\n", scale=scale)
    assert [c.band for c in result] == ["urgent", "routine"]
    with pytest.raises(ValidationInputError, match="bands, lowest first: routine, priority, urgent"):
        read_cases(b"band,outcome\nhigh,yes\n", scale=scale)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_give_a_validation_error_or_cases_never_a_traceback(data: bytes) -> None:
    try:
        result = read_cases(data)
    except ValidationInputError:
        return
    assert isinstance(result, list)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="band,score,outcome\n\"yesnounknow 0123.-", max_size=200))
def test_arbitrary_csv_like_text_never_gives_a_traceback(text: str) -> None:
    try:
        validate(cases(text))
    except ValidationInputError:
        pass
