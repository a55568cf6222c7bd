"""Names, texts and UK postcodes are cleaned before comparison; cleaning is idempotent."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from winnow.core.linkage import clean_name, clean_text, uk_postcode


def test_it_folds_case_accents_and_punctuation_in_names() -> None:
    assert clean_name("  Zoë  O'Brien-Smith. ") == "zoe o'brien-smith"
    assert clean_name("...") is None
    assert clean_name(None) is None


def test_it_finds_uk_postcodes_in_addresses() -> None:
    assert uk_postcode("14 Larkspur Close, Maidstone, me991zz, GB") == "ME99 1ZZ"
    assert uk_postcode("1 Example Street, Testtown SW1A 1AA") == "SW1A 1AA"
    assert uk_postcode("1 Example Street, Testtown") is None
    assert uk_postcode(None) is None


@given(st.text(max_size=60))
def test_it_cleans_names_idempotently(text: str) -> None:
    once = clean_name(text)
    assert clean_name(once) == once


@given(st.text(max_size=60))
def test_it_cleans_text_idempotently(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
