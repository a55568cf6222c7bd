"""Golden cases for CPORT (7 items, 0-7) and CASIC (6 items, 0-6), worked by hand from the published item lists.

They give scores, not bands; CPORT is not scorable with more than one item missing; CASIC can answer CPORT item 5
(sexual interest) when it is unknown.
"""

from __future__ import annotations

from typing import Any

import pytest

from winnow.core.instruments import NOT_SCORABLE, UNKNOWN, AnswerError, Instrument, Result, score

CPORT_YESNO = [
    "prior_criminal_history",
    "contact_sexual_offending",
    "conditional_release_failure",
    "sexual_interest",
    "more_boy_content_csam",
    "more_boy_content_other",
]
CASIC_ITEMS = [
    "never_married",
    "csam_videos",
    "csam_text_stories",
    "csam_interest_two_years",
    "volunteered_high_access",
    "online_sexual_communication",
]


def cport_answers(age: Any = 40, **changes: Any) -> dict[str, Any]:
    answers: dict[str, Any] = dict.fromkeys(CPORT_YESNO, False)
    answers["age_at_index"] = age
    answers.update(changes)
    return answers


def text(result: Result) -> str:
    return "\n".join(result.explanation)


def test_they_are_published_score_only_instruments(cport: Instrument, casic: Instrument) -> None:
    for instrument, items, maximum in ((cport, 7, 7), (casic, 6, 6)):
        assert instrument.provenance.status == "published"
        assert len(instrument.items) == items
        assert instrument.score is not None
        assert (instrument.score.minimum, instrument.score.maximum) == (0, maximum)
        assert instrument.score.bands == ()
        assert instrument.decision is None
        assert instrument.bands == ()
    assert any("AUC .74" in line for line in cport.provenance.validation)
    assert any("AUC .77" in line for line in casic.provenance.validation)


def test_they_carry_no_norm_tables(cport: Instrument, casic: Instrument) -> None:
    # Per-score recidivism rates are in the papers, not here: no explanation ever quotes a percentage.
    for instrument in (cport, casic):
        for answers in (
            {},
            {item.id: (True if item.kind.value == "yesno" else 20) for item in instrument.items},
        ):
            assert "%" not in "\n".join(score(instrument, answers).explanation)


def test_the_help_text_says_where_coding_is_unverified(cport: Instrument, casic: Instrument) -> None:
    unverified = {item.id for item in cport.items if item.unverified}
    assert {"age_at_index", "prior_criminal_history"} <= unverified
    for item in cport.items:
        if item.unverified:
            assert "NOT VERIFIED" in item.help
    assert cport.item("sexual_interest").fallback is not None
    assert "NOT VERIFIED" in cport.item("sexual_interest").fallback.note  # type: ignore[union-attr]
    assert all("NOT VERIFIED" in item.help for item in casic.items if item.unverified)


def test_cport_is_not_scorable_when_every_answer_is_unknown(cport: Instrument) -> None:
    result = score(cport, {})

    assert result.band is NOT_SCORABLE
    assert result.score is None
    assert result.unknown_count == 7
    assert "Not scorable: 7 of the 7 counted items are unknown" in text(result)
    assert "advise not to score CPORT when more than one item is missing" in text(result)


def test_cport_scores_zero_when_every_item_is_no(cport: Instrument) -> None:
    result = score(cport, cport_answers())

    assert (result.score, result.score_max, result.band) == (0, 0, None)
    assert result.scorable
    assert "CPORT score: 0 (of a possible 7)." in text(result)
    assert "This instrument gives a score, not a band." in text(result)
    assert "never added to one" in text(result)


def test_cport_scores_seven_when_every_item_is_yes(cport: Instrument) -> None:
    result = score(cport, cport_answers(age=35, **dict.fromkeys(CPORT_YESNO, True)))

    assert (result.score, result.score_max) == (7, 7)
    assert "CPORT score: 7 (of a possible 7)." in text(result)
    assert "Any prior criminal history = Yes (+1)" in text(result)


@pytest.mark.parametrize(("age", "points"), [(18, 1), (35, 1), (36, 0), (70, 0)])
def test_cport_counts_younger_age_at_35_or_under(cport: Instrument, age: int, points: int) -> None:
    result = score(cport, cport_answers(age=age))

    assert result.score == points
    assert result.derived["younger_offender"] is (points == 1)
    assert f"Age in whole years at the index investigation = {age}" in text(result)


def test_cport_with_one_unknown_item_gives_the_range_it_leaves(cport: Instrument) -> None:
    result = score(cport, cport_answers(age=30, prior_criminal_history=True, more_boy_content_other=UNKNOWN))

    assert result.scorable
    assert (result.score, result.score_max) == (2, 3)
    assert result.unknown_items == ("more_boy_content_other",)
    assert result.rests_on_unknowns
    assert (
        "CPORT score: 2 counting known answers only; between 2 and 3 once the unknown answers are known"
        in text(result)
    )
    assert "Unknown answers: 1 of 7 (More boy than girl content in other child depictions)." in text(result)
    assert "never read as No" in text(result)


def test_cport_is_not_scorable_with_two_unknown_items(cport: Instrument) -> None:
    result = score(cport, cport_answers(age=UNKNOWN, sexual_interest=UNKNOWN))

    assert result.band is NOT_SCORABLE
    assert result.unknown_count == 2
    assert "2 of the 7 counted items are unknown; the missing-data rule allows at most 1" in text(result)


@pytest.mark.parametrize(("casic_score", "answer", "points"), [(2, False, 0), (3, True, 1), (6, True, 1)])
def test_casic_answers_cport_item_5_when_it_is_unknown(
    cport: Instrument, casic: Instrument, casic_score: int, answer: bool, points: int
) -> None:
    casic_result = score(casic, {item: i < casic_score for i, item in enumerate(CASIC_ITEMS)})
    assert casic_result.score == casic_score

    result = score(cport, cport_answers(sexual_interest=UNKNOWN), other_results={"casic": casic_result})

    assert result.score == points
    assert result.unknown_count == 0
    assert result.answers["sexual_interest"] is answer
    (use,) = result.fallbacks
    assert (use.item, use.instrument, use.score, use.value) == (
        "sexual_interest",
        "casic",
        str(casic_score),
        answer,
    )
    shown = "Yes" if answer else "No"
    assert f"was unknown; answered {shown} from the CASIC score {casic_score}." in text(result)
    assert "NOT VERIFIED" in text(result)


def test_a_direct_answer_to_item_5_wins_over_casic(cport: Instrument) -> None:
    result = score(cport, cport_answers(sexual_interest=False), other_results={"casic": 6})

    assert result.score == 0
    assert result.fallbacks == ()


def test_casic_with_unknowns_either_side_of_the_cut_off_leaves_item_5_unknown(
    cport: Instrument, casic: Instrument
) -> None:
    casic_result = score(casic, {"never_married": True, "csam_videos": True, "csam_text_stories": False})
    assert (casic_result.score, casic_result.score_max) == (2, 5)

    result = score(cport, cport_answers(sexual_interest=UNKNOWN), other_results={"casic": casic_result})

    assert result.unknown_items == ("sexual_interest",)
    assert result.fallbacks[0].value is None
    assert "CASIC could not answer it (CASIC score: 2-5); it stays unknown." in text(result)


def test_casic_frees_a_cport_with_two_unknowns_to_be_scored(cport: Instrument) -> None:
    answers = cport_answers(age=30, sexual_interest=UNKNOWN, more_boy_content_csam=UNKNOWN)

    assert score(cport, answers).band is NOT_SCORABLE
    result = score(cport, answers, other_results={"casic": 4})
    assert result.scorable
    assert (result.score, result.score_max) == (2, 3)


def test_cport_says_when_no_casic_result_was_given(cport: Instrument) -> None:
    result = score(cport, cport_answers(sexual_interest=UNKNOWN))

    assert result.fallbacks[0].score == "not given"
    assert result.unknown_items == ("sexual_interest",)
    assert (result.score, result.score_max) == (0, 1)


def test_cport_refuses_another_instruments_result_as_casic(cport: Instrument, casic: Instrument) -> None:
    wrong = score(cport, cport_answers())

    with pytest.raises(AnswerError, match="is a result of 'cport'"):
        score(cport, cport_answers(sexual_interest=UNKNOWN), other_results={"casic": wrong})
    with pytest.raises(AnswerError, match="must be a Result or an int score"):
        score(cport, cport_answers(sexual_interest=UNKNOWN), other_results={"casic": "3"})


def test_casic_with_every_answer_unknown_gives_the_whole_range(casic: Instrument) -> None:
    result = score(casic, {})

    assert result.scorable  # no missing-data rule is published for CASIC
    assert (result.score, result.score_max) == (0, 6)
    assert result.unknown_count == 6
    assert "CASIC score: 0 counting known answers only; between 0 and 6" in text(result)


@pytest.mark.parametrize("item", CASIC_ITEMS)
def test_casic_gives_one_point_per_item(casic: Instrument, item: str) -> None:
    answers = dict.fromkeys(CASIC_ITEMS, False)
    answers[item] = True

    result = score(casic, answers)
    assert (result.score, result.score_max) == (1, 1)
    assert f"{casic.item(item).question} = Yes (+1)" in text(result)
