"""Golden cases for Winnow's phased prioritisation aid, worked by hand from instruments/phased-prioritisation.yaml.

Each case starts from a subject with every question answered No (and no sexual convictions), then changes the
answers the case is about. Expected bands follow the rules in the file, read top down: the first rule that fires.
"""

from __future__ import annotations

from typing import Any

import pytest

from winnow.core.instruments import NOT_SCORABLE, UNKNOWN, Instrument, Result, format_result, score

NOTICE = "NOT KIRAT"


def all_no(phased: Instrument, **changes: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {item.id: False for item in phased.items}
    answers["sexual_convictions"] = 0
    answers.update(changes)
    return answers


def text(result: Result) -> str:
    return "\n".join(result.explanation)


def test_it_describes_itself_as_not_kirat_and_unvalidated(phased: Instrument) -> None:
    assert phased.provenance.status == "unvalidated"
    assert phased.monotone is True
    source = (phased.path and open(phased.path, encoding="utf-8").read()) or ""
    for words in ("NOT KIRAT", "police-restricted", "unvalidated defaults until validated locally"):
        assert words in phased.provenance.notice
        assert words in source
    assert "not KIRAT" in phased.title
    assert [band.label for band in phased.bands] == ["Low", "Medium", "High", "Very High"]
    assert [step.title for step in phased.decision.steps] == [  # type: ignore[union-attr]
        "Step 1: Previous behaviours",
        "Step 2: Access to children",
        "Step 3: Current behavioural facilitators",
        "Step 4: Other factors",
    ]
    assert len(phased.items) == 14


def test_it_is_not_scorable_when_every_answer_is_unknown(phased: Instrument) -> None:
    result = score(phased, {})

    assert result.band is NOT_SCORABLE
    assert not result.scorable
    assert result.unknown_count == 14
    assert result.decided_by == "missing-data rule"
    assert result.drivers == ()
    assert "Not scorable: 14 of the 14 counted items are unknown" in text(result)
    assert "allows at most 4" in text(result)
    assert NOTICE in text(result)


def test_it_gives_low_when_every_answer_is_no(phased: Instrument) -> None:
    result = score(phased, all_no(phased))

    assert result.band is not None and result.band.label == "Low"
    assert result.rule_id is None
    assert result.decided_by == "otherwise (no rule fired)"
    assert result.unknown_count == 0
    assert not result.rests_on_unknowns
    assert "Band: Low, decided by no rule firing" in text(result)
    assert "Answers that kept every rule from firing:" in text(result)
    assert "Evidence of grooming a child = No" in text(result)
    assert "Unknown answers: none of 14." in text(result)
    assert NOTICE in text(result)


@pytest.mark.parametrize(
    ("changes", "band", "rule", "drivers"),
    [
        ({"prior_contact_offence": True}, "Very High", "1a", {"prior_contact_offence": "Yes"}),
        (
            {"lives_with_children": True, "grooming": True},
            "Very High",
            "2a",
            {"lives_with_children": "Yes", "grooming": "Yes"},
        ),
        (
            {"access_children_known": True, "sexual_convictions": 2},
            "Very High",
            "2b",
            {"access_children_known": "Yes", "sexual_convictions": "2"},
        ),
        (
            {"access_children_role": True, "prior_noncontact_offence": True},
            "High",
            "2c",
            {"access_children_role": "Yes", "prior_noncontact_offence": "Yes"},
        ),
        ({"incitement": True}, "High", "3a", {"incitement": "Yes"}),
        ({"lives_with_children": True}, "Medium", "4a", {"lives_with_children": "Yes"}),
        ({"sexual_convictions": 1}, "Medium", "4b", {"sexual_convictions": "1"}),
        (
            {"domestic_abuse": True, "substance_misuse": True},
            "Medium",
            "4c",
            {"domestic_abuse": "Yes", "substance_misuse": "Yes"},
        ),
    ],
    ids=["1a", "2a", "2b", "2c", "3a", "4a", "4b", "4c"],
)
def test_it_fires_each_decision_step(
    phased: Instrument, changes: dict[str, Any], band: str, rule: str, drivers: dict[str, str]
) -> None:
    result = score(phased, all_no(phased, **changes))

    assert result.band is not None and result.band.label == band
    assert result.rule_id == rule
    assert result.step_id == f"step{rule[0]}"
    assert {d.item: d.answer for d in result.drivers} == drivers
    step_title = next(s.title for s in phased.decision.steps if s.id == result.step_id)  # type: ignore[union-attr]
    assert f"Band: {band}, decided by {step_title}, rule {rule}:" in text(result)
    for driver in result.drivers:
        assert f"{driver.question} = {driver.answer}" in text(result)
    assert NOTICE in text(result)


@pytest.mark.parametrize(
    ("convictions", "band", "rule"), [(0, "Medium", "4a"), (1, "High", "2c"), (2, "Very High", "2b")]
)
def test_it_counts_sexual_convictions_at_the_boundaries(
    phased: Instrument, convictions: int, band: str, rule: str
) -> None:
    result = score(phased, all_no(phased, lives_with_children=True, sexual_convictions=convictions))

    assert (result.band.label, result.rule_id) == (band, rule)  # type: ignore[union-attr]


@pytest.mark.parametrize(("factors", "band"), [(0, "Low"), (1, "Low"), (2, "Medium"), (4, "Medium")])
def test_it_needs_two_other_factors_for_medium(phased: Instrument, factors: int, band: str) -> None:
    names = ["previous_custody", "other_convictions", "domestic_abuse", "substance_misuse"][:factors]
    result = score(phased, all_no(phased, **dict.fromkeys(names, True)))

    assert result.band.label == band  # type: ignore[union-attr]


def test_it_does_not_fire_a_rule_an_unknown_leaves_undecided(phased: Instrument) -> None:
    # Rule 3a (any facilitator) needs grooming; unknown is not No, but it is not Yes either: 3a does not fire.
    result = score(phased, all_no(phased, grooming=UNKNOWN))

    assert result.band.label == "Low"  # type: ignore[union-attr]
    assert result.scorable
    assert result.unknown_count == 1
    assert result.unknown_items == ("grooming",)
    assert result.rests_on_unknowns
    assert result.highest_possible_band.label == "High"  # type: ignore[union-attr]
    assert [(u.rule, u.band.label, u.unknown_items) for u in result.undecided] == [
        ("3a", "High", ("grooming",))
    ]
    explanation = text(result)
    assert "Unknown answers: 1 of 14 (Evidence of grooming a child)." in explanation
    assert (
        "Rule 3a (High) could not be decided because these answers are unknown: Evidence of grooming a child."
        in explanation
    )
    assert "This result rests on unknown answers." in explanation
    assert "never read as No" in explanation
    assert "could be as high as High" in explanation


def test_it_says_when_an_unknown_answer_cannot_change_the_band(phased: Instrument) -> None:
    # One other factor unknown, the rest No: even a Yes would make only one factor, so rule 4c stays false.
    result = score(phased, all_no(phased, domestic_abuse=UNKNOWN))

    assert result.band.label == "Low"  # type: ignore[union-attr]
    assert not result.rests_on_unknowns
    assert result.undecided == ()
    assert "The band does not rest on the unknown answers" in text(result)


def test_it_treats_an_omitted_answer_and_none_as_unknown(phased: Instrument) -> None:
    omitted = all_no(phased)
    del omitted["grooming"]
    as_none = all_no(phased, grooming=None)

    for answers in (omitted, as_none):
        result = score(phased, answers)
        assert result.unknown_items == ("grooming",)
        assert result.answers["grooming"] is UNKNOWN
        assert result.band.label == "Low"  # type: ignore[union-attr]


def test_it_keeps_a_band_reached_on_known_answers_however_much_else_is_unknown(phased: Instrument) -> None:
    result = score(phased, {"prior_contact_offence": True})

    assert result.band.label == "Very High"  # type: ignore[union-attr]
    assert result.unknown_count == 13
    assert not result.rests_on_unknowns
    assert result.scorable


def test_it_does_not_count_an_undecided_rule_that_would_give_the_same_band(phased: Instrument) -> None:
    # 2a fires (Very High); 1a is undecided but could only give Very High too.
    result = score(phased, {"lives_with_children": True, "grooming": True})

    assert result.band.label == "Very High"  # type: ignore[union-attr]
    assert result.rule_id == "2a"
    assert [u.rule for u in result.undecided] == ["1a"]
    assert not result.rests_on_unknowns
    assert result.scorable


@pytest.mark.parametrize(("unknown", "scorable"), [(4, True), (5, False)])
def test_it_applies_the_missing_data_rule_at_its_boundary(
    phased: Instrument, unknown: int, scorable: bool
) -> None:
    # The four other factors unknown leave rule 4c undecided; a fifth unknown (incitement) leaves 3a undecided.
    names = ["previous_custody", "other_convictions", "domestic_abuse", "substance_misuse", "incitement"][
        :unknown
    ]
    result = score(phased, all_no(phased, **dict.fromkeys(names, UNKNOWN)))

    assert result.unknown_count == unknown
    assert result.scorable is scorable
    if scorable:
        assert result.band.label == "Low"  # type: ignore[union-attr]
        assert result.rests_on_unknowns
        assert result.highest_possible_band.label == "Medium"  # type: ignore[union-attr]
    else:
        assert result.band is NOT_SCORABLE
        assert "5 of the 14 counted items are unknown" in text(result)


def test_it_records_the_instrument_that_scored_it(phased: Instrument) -> None:
    result = score(phased, all_no(phased))

    assert (result.instrument_id, result.instrument_version) == ("phased-prioritisation", "0.2.0")
    assert len(result.instrument_sha256) == 64
    assert "Instrument: Winnow phased prioritisation aid (not KIRAT), version 0.2.0." in text(result)


def test_it_formats_a_result_for_printing(phased: Instrument) -> None:
    printed = format_result(score(phased, all_no(phased, incitement=True)))

    first, *rest = printed.splitlines()
    assert first == "Winnow phased prioritisation aid (not KIRAT) 0.2.0: High"
    assert all(line.startswith("  ") for line in rest)
    assert any(NOTICE in line for line in rest)
