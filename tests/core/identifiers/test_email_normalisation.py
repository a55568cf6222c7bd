"""Emails: case always folded; +tags and dots removed only where the provider's own rules say they do not matter."""

import pytest

from winnow.core.identifiers import (
    EMAIL_PROVIDERS,
    IdentifierError,
    IdentifierKind,
    email_provider,
    match_keys,
    normalise,
    normalise_email,
)


def test_it_lower_cases_an_address_at_an_unknown_provider_and_changes_nothing_else():
    assert (
        normalise(IdentifierKind.EMAIL, "  Gareth.P.Vale+backup@Mail.Example ")
        == "gareth.p.vale+backup@mail.example"
    )


def test_it_ignores_dots_and_tags_at_gmail_and_treats_googlemail_as_gmail():
    assert normalise_email("Jane.Fictional+alerts@gmail.com") == "janefictional@gmail.com"
    assert normalise_email("janefictional@GoogleMail.com") == "janefictional@gmail.com"
    assert normalise_email("j.a.n.e.fictional@googlemail.com") == "janefictional@gmail.com"


def test_it_strips_tags_but_keeps_dots_where_the_provider_honours_only_tags():
    assert normalise_email("Jane.Fictional+shop@outlook.com") == "jane.fictional@outlook.com"
    assert normalise_email("Jane.Fictional+shop@icloud.com") == "jane.fictional@icloud.com"
    assert normalise_email("jane.fictional+x@fastmail.com") == "jane.fictional@fastmail.com"


def test_it_keeps_separate_microsoft_domains_separate():
    assert normalise_email("jane@hotmail.com") != normalise_email("jane@outlook.com")


def test_it_ignores_dots_hyphens_and_underscores_at_proton():
    assert normalise_email("jane.q-fictional_x+tag@proton.me") == "janeqfictionalx@proton.me"


def test_it_strips_nothing_from_yahoo_addresses_whose_hyphen_is_not_a_tag():
    assert normalise_email("base-keyword@yahoo.com") == "base-keyword@yahoo.com"
    assert normalise_email("jane+x@yahoo.com") == "jane+x@yahoo.com"


def test_it_keeps_the_provider_rules_as_documented_data():
    assert all(rule.source for rule in EMAIL_PROVIDERS)
    rule = email_provider("someone@googlemail.com")
    assert rule is not None and rule.provider == "Google Gmail"
    assert email_provider("someone@example.org") is None


def test_it_encodes_international_domains_so_both_spellings_match():
    assert normalise_email("jane@bücher.example") == normalise_email("jane@xn--bcher-kva.example")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "exactly one @"),
        ("no-at-sign.example.com", "exactly one @"),
        ("two@@example.com", "exactly one @"),
        ("jane@localhost", "domain"),
        ("jane@example.123", "domain"),
        ("jane doe@example.com", "characters"),
        ("jane..doe@example.com", "characters"),
        ("+tag@gmail.com", "no mailbox name"),
        ("..@gmail.com", "characters"),
        ("x" * 65 + "@example.com", "1-64"),
    ],
)
def test_it_refuses_what_is_not_an_address_and_says_why(value, reason):
    with pytest.raises(IdentifierError, match=reason):
        normalise(IdentifierKind.EMAIL, value)


def test_it_gives_the_normalised_form_as_the_only_match_key():
    assert match_keys("email", "Jane.Fictional+x@gmail.com") == {"janefictional@gmail.com"}
