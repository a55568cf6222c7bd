"""A match probability is never shown as certainty, and the evidence against a match is shown beside the evidence
for it."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from winnow.core.linkage import probability_text, split_evidence


@pytest.mark.parametrize(("p", "text"), [
    (1.0, "more than 99.9% (not certain)"), (0.99951, "more than 99.9% (not certain)"), (0.999, "99.9%"),
    (0.8766, "87.7%"), (0.0004, "less than 0.1%"), (0.0, "less than 0.1%"),
])
def test_it_words_probabilities_without_claiming_certainty(p: float, text: str) -> None:
    assert probability_text(p) == text


@given(st.floats(min_value=0.0, max_value=1.0))
def test_it_never_prints_100_or_0_percent(p: float) -> None:
    text = probability_text(p)
    assert not text.startswith("100") and text != "0.0%"


@pytest.mark.parametrize("bad", [-0.1, 1.01, math.nan])
def test_it_refuses_what_is_not_a_probability(bad: float) -> None:
    with pytest.raises(ValueError):
        probability_text(bad)


def test_it_splits_agreeing_and_disagreeing_fields_strongest_first() -> None:
    fields = [{"label": "name", "match_weight": 3.2}, {"label": "date of birth", "match_weight": -4.0},
              {"label": "postcode", "match_weight": 0.0}, {"label": "email", "match_weight": 7.1},
              {"label": "sex", "match_weight": -0.5}]
    agree, disagree = split_evidence(fields)
    assert [f["label"] for f in agree] == ["email", "name"]
    assert [f["label"] for f in disagree] == ["date of birth", "sex"]
