"""Usernames: per-platform rules (case, @ and u/ prefixes, ignored characters) kept as data."""

import pytest

from winnow.core.identifiers import (
    PLATFORMS,
    IdentifierError,
    normalise,
    normalise_account_id,
    normalise_username,
    platform_key,
)


def test_it_prefixes_the_platform_and_folds_case():
    assert normalise("username", "QuietLantern_79", platform="Examplegram") == "examplegram:quietlantern_79"


@pytest.mark.parametrize(
    ("platform", "value", "expected"),
    [
        ("Twitter", "@Quiet_Lantern", "x:quiet_lantern"),
        ("X", "quiet_lantern", "x:quiet_lantern"),
        ("Instagram", "@Quiet.Lantern", "instagram:quiet.lantern"),
        ("Reddit", "u/QuietLantern", "reddit:quietlantern"),
        ("reddit", "/u/QuietLantern", "reddit:quietlantern"),
        ("Facebook", "Quiet.Lantern.79", "facebook:quietlantern79"),
        ("TikTok", "@@quietlantern", "tiktok:quietlantern"),
    ],
)
def test_it_applies_each_platforms_own_rules(platform, value, expected):
    assert normalise_username(value, platform=platform) == expected


def test_it_knows_platform_aliases():
    assert platform_key("twitter.com") == platform_key(" X ") == "x"
    assert all(rule.source for rule in PLATFORMS)


def test_it_does_not_strip_dots_where_the_platform_counts_them():
    assert normalise_username("quiet.lantern", platform="Instagram") != normalise_username(
        "quietlantern", platform="Instagram"
    )


def test_it_folds_unicode_compatibility_forms():
    assert (
        normalise_username("ＱｕｉｅｔＬａｎｔｅｒｎ", platform="Examplegram") == "examplegram:quietlantern"
    )


def test_it_accepts_its_own_output():
    once = normalise_username("@QuietLantern", platform="Examplegram")
    assert normalise_username(once, platform="Examplegram") == once


@pytest.mark.parametrize(
    ("value", "platform", "reason"),
    [
        ("quiet lantern", "Examplegram", "spaces"),
        ("@", "Examplegram", "nothing left"),
        ("quietlantern", "", "needs its platform"),
        ("quietlantern", "   ", "needs its platform"),
    ],
)
def test_it_refuses_what_cannot_be_a_username(value, platform, reason):
    with pytest.raises(IdentifierError, match=reason):
        normalise("username", value, platform=platform)


def test_it_keeps_account_ids_apart_from_screen_names_and_keeps_their_case():
    assert normalise_account_id(" 84002917731 ", platform="Examplegram") == "examplegram:#84002917731"
    assert normalise_account_id("AbC", platform="Examplegram") == "examplegram:#AbC"
    assert normalise_account_id("84002917731", platform="Examplegram") != normalise_username(
        "84002917731", platform="Examplegram"
    )
