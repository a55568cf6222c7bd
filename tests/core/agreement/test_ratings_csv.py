"""`winnow agreement` input: a long CSV case,rater,item,value; every bad file gets one clear error with its row."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from winnow.core.agreement import AgreementInputError, read_ratings


def test_it_reads_one_rating_per_row_and_accepts_excels_byte_order_mark() -> None:
    ratings = read_ratings(b"\xef\xbb\xbfcase,rater,item,value\r\nv1,ann,grooming,yes\r\nv1,bo,grooming,no\r\n")
    assert [(r.case, r.rater, r.item, r.value) for r in ratings] == [
        ("v1", "ann", "grooming", "yes"), ("v1", "bo", "grooming", "no")]


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty"),
    ("case,rater,value\nv1,a,yes\n", "row 1: the header must be exactly case,rater,item,value"),
    ("case,rater,item,value,extra\n", "row 1: the header must be exactly"),
    ("case,rater,item,value\n", "no ratings"),
    ("case,rater,item,value\nv1,a,grooming\n", "row 2: 3 fields, expected 4"),
    ("case,rater,item,value\nv1,a,grooming,yes\nv1,,grooming,no\n", "row 3, field 'rater': empty"),
    ("case,rater,item,value\nv1,a,grooming,yes\nv1,a,grooming,no\n",
     "row 3: rater 'a' already rated case 'v1' item 'grooming' on row 2"),
    ('case,rater,item,value\nv1,a,grooming,"yes\n', "not valid CSV"),
])
def test_it_refuses_bad_files_naming_the_row(text: str, message: str) -> None:
    with pytest.raises(AgreementInputError, match=message.replace("(", r"\(")):
        read_ratings(text.encode())


def test_it_refuses_utf16_and_bytes_that_are_not_utf8() -> None:
    with pytest.raises(AgreementInputError, match="UTF-16"):
        read_ratings("case,rater,item,value\n".encode("utf-16"))
    with pytest.raises(AgreementInputError, match="row 2.*not UTF-8"):
        read_ratings("case,rater,item,value\nv1,Zoë,band,low\n".encode("latin-1"))


def test_it_lists_up_to_twenty_problems_not_just_the_first() -> None:
    text = "case,rater,item,value\n" + "".join(f"v{i},a,band,\n" for i in range(30))
    with pytest.raises(AgreementInputError) as caught:
        read_ratings(text.encode())
    assert len(caught.value.problems) == 20


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_ratings_or_an_agreement_input_error(data: bytes) -> None:
    try:
        read_ratings(b"case,rater,item,value\n" + data)
    except AgreementInputError:
        pass


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-Infinity", "1e999", "9" * 400])
def test_a_value_that_reads_as_a_number_but_is_not_finite_is_refused_with_its_row(value: str) -> None:
    with pytest.raises(AgreementInputError, match="row 3, field 'value': .* is not a finite number"):
        read_ratings(f"case,rater,item,value\nv1,a,total,3\nv1,b,total,{value}\n".encode())
