"""The engine on a made-up instrument that uses every feature the shipped ones do not: choice and date items,
negation, day and year thresholds, choice points, score bands after decision steps, and answer validation."""

from __future__ import annotations

import copy
import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

import pytest

from winnow.core.instruments import (
    UNKNOWN,
    AnswerError,
    Instrument,
    Result,
    applicability_warnings,
    load_instrument,
    parse_instrument,
    score,
)

FEATURES = textwrap.dedent(
    """\
    id: features
    version: "2024.1"
    title: Feature test
    provenance:
      status: restricted
      sources: [Tests]
      validation: ["none"]
      validated_for: adults in tests
      not_validated_for: everything else
      notice: For tests only.
    applicability:
      population: adults in tests
      min_age: 18
      max_age: 65
      sexes: [male, female]
    bands:
      - {id: low, label: Low}
      - {id: medium, label: Medium}
      - {id: high, label: High}
    sections:
      - id: facts
        title: Facts
        items:
          - {id: flag, kind: yesno, question: Flag raised, help: h}
          - {id: cleared, kind: yesno, question: Cleared by checks, help: h}
          - id: contact
            kind: choice
            question: Kind of contact
            help: h
            options:
              - {id: none, label: None}
              - {id: online, label: Online only}
              - {id: in_person, label: In person}
          - {id: born, kind: date, question: Date of birth, help: h}
          - {id: seen, kind: date, question: Date of the incident, help: h}
          - {id: reported, kind: date, question: Date reported, help: h}
          - {id: devices, kind: count, minimum: 0, maximum: 50, question: Devices seized, help: h}
    derived:
      - id: young
        label: Under 25 at the incident
        when: {threshold: {years_between: [born, seen], at_most: 24}}
      - id: late_report
        label: Reported more than 30 days after the incident
        when: {threshold: {days_between: [seen, reported], at_least: 31}}
      - id: uncleared_flag
        label: A flag that checks have not cleared
        when: {all_of: [flag, {no: cleared}]}
    decision:
      steps:
        - id: first
          title: First
          rules:
            - id: in-person
              band: high
              label: In-person contact
              when: {choice: {item: contact, in: [in_person]}}
            - id: not-cleared
              band: high
              label: Uncleared flag
              when: uncleared_flag
    score:
      label: Points
      items:
        - {item: young, points: 1}
        - {item: late_report, points: 1}
        - item: contact
          points: {online: 2}
        - {item: cleared, points: 0, points_if_no: 1}
      bands:
        - {band: low, min: 0, max: 1}
        - {band: medium, min: 2, max: 3}
        - {band: high, min: 4, max: 5}
    missing_data:
      max_unknown: 3
      items: [flag, cleared, contact, born, seen]
      statement: Not scorable with more than 3 of the five key facts unknown.
    """
)


@pytest.fixture(scope="module")
def features() -> Instrument:
    return parse_instrument(FEATURES, path="features.yaml")


def known(**changes: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "flag": False,
        "cleared": True,
        "contact": "none",
        "born": dt.date(1980, 6, 15),
        "seen": dt.date(2024, 6, 15),
        "reported": dt.date(2024, 6, 20),
        "devices": 3,
    }
    answers.update(changes)
    return answers


def text(result: Result) -> str:
    return "\n".join(result.explanation)


def test_a_choice_condition_fires_a_rule(features: Instrument) -> None:
    result = score(features, known(contact="in_person"))

    assert (result.band.label, result.rule_id) == ("High", "in-person")  # type: ignore[union-attr]
    assert [(d.item, d.answer) for d in result.drivers] == [("contact", "In person")]


def test_a_negated_answer_is_three_valued(features: Instrument) -> None:
    fired = score(features, known(flag=True, cleared=False))
    assert fired.rule_id == "not-cleared"
    assert {d.item: d.answer for d in fired.drivers} == {"flag": "Yes", "cleared": "No"}

    undecided = score(features, known(flag=True, cleared=UNKNOWN))
    assert undecided.rule_id is None
    assert [(u.rule, u.unknown_items) for u in undecided.undecided] == [("not-cleared", ("cleared",))]
    assert undecided.rests_on_unknowns
    assert undecided.highest_possible_band.label == "High"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("born", "young"),
    [(dt.date(1999, 6, 16), True), (dt.date(1999, 6, 15), False), (dt.date(2000, 2, 29), True)],
    ids=["day-before-25th-birthday", "25th-birthday", "leap-day"],
)
def test_years_between_counts_whole_years(features: Instrument, born: dt.date, young: bool) -> None:
    result = score(features, known(born=born))
    assert result.derived["young"] is young


@pytest.mark.parametrize(("days", "late"), [(30, False), (31, True)])
def test_days_between_is_inclusive_at_its_bound(features: Instrument, days: int, late: bool) -> None:
    seen = dt.date(2024, 1, 1)
    result = score(features, known(seen=seen, reported=seen + dt.timedelta(days=days)))
    assert result.derived["late_report"] is late


@pytest.mark.parametrize(
    ("changes", "total", "band"),
    [
        ({}, 0, "Low"),
        ({"born": dt.date(2000, 1, 1)}, 1, "Low"),
        ({"born": dt.date(2000, 1, 1), "contact": "online"}, 3, "Medium"),
        ({"born": dt.date(2000, 1, 1), "contact": "online", "cleared": False}, 4, "High"),
    ],
)
def test_score_bands_decide_when_no_rule_fires(
    features: Instrument, changes: dict[str, Any], total: int, band: str
) -> None:
    result = score(features, known(**changes))

    assert (result.score, result.band.label) == (total, band)  # type: ignore[union-attr]
    assert result.rule_id is None and result.cutoff is not None
    assert f"decided by the score cut-off {result.cutoff.minimum}-{result.cutoff.maximum}" in text(result)


def test_a_score_band_rests_on_unknowns_that_could_lift_it(features: Instrument) -> None:
    # Known: young (1). Unknown: contact (0-2 points). 1 is Low, 3 would be Medium.
    result = score(features, known(born=dt.date(2000, 1, 1), contact=UNKNOWN))

    assert (result.score, result.score_max) == (1, 3)
    assert result.band.label == "Low"  # type: ignore[union-attr]
    assert result.rests_on_unknowns
    assert result.highest_possible_band.label == "High"  # type: ignore[union-attr]  (in-person would fire a rule)
    assert "could be as high as High" in text(result)


def test_the_missing_data_rule_counts_only_its_items(features: Instrument) -> None:
    # `reported` and `devices` are not counted.
    assert score(features, known(reported=UNKNOWN, devices=UNKNOWN, flag=UNKNOWN)).scorable
    assert not score(features, known(flag=UNKNOWN, cleared=UNKNOWN, contact=UNKNOWN, born=UNKNOWN)).scorable


@pytest.mark.parametrize(
    ("answers", "problem"),
    [
        ({"flag": "yes"}, ("flag", "must be True (Yes), False (No) or UNKNOWN, found str 'yes'")),
        ({"flag": 1}, ("flag", "must be True (Yes), False (No) or UNKNOWN, found int 1")),
        ({"devices": True}, ("devices", "must be a whole number, found bool True")),
        ({"devices": 2.0}, ("devices", "must be a whole number, found float 2.0")),
        ({"devices": -1}, ("devices", "must be at least 0 and at most 50, found -1")),
        ({"devices": 51}, ("devices", "must be at least 0 and at most 50, found 51")),
        ({"contact": "by_post"}, ("contact", "must be one of in_person, none, online, found 'by_post'")),
        ({"contact": ["online"]}, ("contact", "must be one of the item's options, found list ['online']")),
        ({"born": "1980-01-01"}, ("born", "must be a date, found str '1980-01-01'")),
        ({"born": dt.datetime(1980, 1, 1)}, ("born", "must be a date, found datetime")),
        ({"young": True}, ("young", "is a derived item: it is computed, not answered")),
        ({"grooming": True}, ("grooming", "is not an item of this instrument")),
        ({3: True}, ("int 3", "is not an item of this instrument")),
    ],
)
def test_it_rejects_bad_answers_with_a_typed_error(
    features: Instrument, answers: dict[Any, Any], problem: tuple[str, str]
) -> None:
    with pytest.raises(AnswerError) as info:
        score(features, answers)
    ((where, reason),) = info.value.problems
    assert where == problem[0]
    assert reason.startswith(problem[1])


def test_it_reports_every_bad_answer_at_once(features: Instrument) -> None:
    with pytest.raises(AnswerError) as info:
        score(features, {"flag": "maybe", "devices": -3, "nope": 1})
    assert [where for where, _ in info.value.problems] == ["flag", "devices", "nope"]
    assert "flag: must be True" in str(info.value)


@pytest.mark.parametrize("answers", [None, [("flag", True)], "flag=yes", 42])
def test_it_rejects_answers_that_are_not_a_mapping(features: Instrument, answers: Any) -> None:
    with pytest.raises(AnswerError, match="must be a mapping of item id to answer"):
        score(features, answers)


def test_unknown_refuses_to_be_read_as_a_truth_value() -> None:
    with pytest.raises(TypeError, match="UNKNOWN has no truth value"):
        bool(UNKNOWN)
    assert copy.deepcopy(UNKNOWN) is UNKNOWN


def test_the_result_keeps_the_answers_and_derived_values(features: Instrument) -> None:
    result = score(features, known(flag=UNKNOWN))

    assert result.answers["flag"] is UNKNOWN
    assert result.answers["contact"] == "none"
    assert result.derived["uncleared_flag"] is False  # cleared = Yes settles it whatever the flag
    with pytest.raises(TypeError):
        result.answers["flag"] = True  # type: ignore[index]


def test_applicability_warns_but_never_blocks(features: Instrument) -> None:
    assert applicability_warnings(features, age=40, sex="Female") == []
    assert applicability_warnings(features, age=70, sex="male") == [
        "The subject is 70, over 65: Feature test was validated on adults in tests."
    ]
    (warning,) = applicability_warnings(features, age=16, sex="male")
    assert warning.startswith("The subject is 16, under 18") and "The subject is a child." in warning
    assert len(applicability_warnings(features, age=None, sex=None)) == 2
    assert score(features, known()).scorable  # the scorer itself knows nothing of the subject


def test_applicability_of_the_shipped_instruments(shipped: dict[str, Instrument]) -> None:
    for instrument in shipped.values():
        assert applicability_warnings(instrument, age=30, sex="male") == []
        under_18 = applicability_warnings(instrument, age=17, sex="male")
        female = applicability_warnings(instrument, age=30, sex="female")
        assert len(under_18) == 1 and "under 18" in under_18[0]
        assert len(female) == 1 and "recorded as female" in female[0]
    phased = shipped["phased-prioritisation"]
    assert "not validated for anyone" in applicability_warnings(phased, age=17, sex="male")[0]


def test_load_instrument_and_parse_instrument_agree(tmp_path: Path, features: Instrument) -> None:
    path = tmp_path / "features.yaml"
    path.write_text(FEATURES, encoding="utf-8")

    loaded = load_instrument(path)
    assert loaded.sha256 == features.sha256
    assert score(loaded, known()).explanation == score(features, known()).explanation
