"""Feedback item by item against the reference, and certification against the force's standard over time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from winnow.core.instruments import load_directory
from winnow.core.training import Attempt, Standard, add_months, feedback, load_bank, status

ROOT = Path(__file__).resolve().parents[3]
INSTRUMENTS = {(i.id, i.version): i for i in load_directory(ROOT / "instruments").values()}
BANK = load_bank(ROOT / "vignettes", INSTRUMENTS)
PP = INSTRUMENTS[("phased-prioritisation", "0.2.0")]
T0 = datetime(2026, 1, 15, 10, tzinfo=UTC)


def test_the_reference_answers_get_full_marks_and_the_reference_band() -> None:
    vignette = BANK["pp-03-access-and-grooming"]
    result = feedback(PP, vignette, vignette.answer_map)
    assert result.items_agreed == len(PP.items) and result.outcome_exact
    assert result.band == "very_high" and result.reference_band_label == "Very High"


def test_a_missed_facilitator_shows_which_item_and_the_band_it_cost() -> None:
    vignette = BANK["pp-03-access-and-grooming"]
    answers = dict(vignette.answer_map, grooming="no")
    result = feedback(PP, vignette, answers)
    wrong = [item for item in result.items if not item.agreed]
    assert [(w.item, w.given, w.reference) for w in wrong] == [("grooming", "no", "yes")]
    assert "relationship" in wrong[0].help and wrong[0].rationale
    assert result.band == "medium" and not result.outcome_exact


def test_unanswered_items_are_unknown_and_unknown_is_not_no() -> None:
    vignette = BANK["pp-14-low-with-unknowns"]
    result = feedback(PP, vignette, {})
    by_item = {i.item: i for i in result.items}
    assert by_item["prior_contact_offence"].agreed  # the reference is Unknown there
    assert not by_item["lives_with_children"].agreed  # the reference is No


def _attempts(n: int, agreed: int, exact: int, start: datetime = T0) -> list[Attempt]:
    return [Attempt(f"v{i}", agreed, 14, i < exact, start + timedelta(hours=i)) for i in range(n)]


def test_it_certifies_at_85_percent_items_and_80_percent_bands_by_default() -> None:
    passing = status(_attempts(6, 12, 5), Standard(), now=T0 + timedelta(days=1))  # 12/14 = 85.7%, 5/6 = 83%
    assert passing.certified and passing.refresher_due == add_months(T0 + timedelta(hours=5), 12)
    assert not status(_attempts(6, 11, 6), Standard(), now=T0 + timedelta(days=1)).certified  # 78.6% items
    assert not status(_attempts(6, 14, 4), Standard(), now=T0 + timedelta(days=1)).certified  # 66.7% bands
    assert not status(_attempts(5, 14, 5), Standard(), now=T0 + timedelta(days=1)).certified  # too few vignettes


def test_the_latest_attempt_at_a_vignette_is_what_counts() -> None:
    first_go = [Attempt("v0", 0, 14, False, T0 - timedelta(days=1))] + _attempts(6, 14, 6)[1:]
    assert not status(first_go, Standard(), now=T0 + timedelta(days=1)).certified
    retaken = first_go + [Attempt("v0", 14, 14, True, T0 + timedelta(days=2))]
    assert status(retaken, Standard(), now=T0 + timedelta(days=3)).certified


def test_a_later_poor_practice_attempt_does_not_undo_a_certification() -> None:
    attempts = _attempts(6, 14, 6) + [Attempt("v0", 0, 14, False, T0 + timedelta(days=2))]
    result = status(attempts, Standard(), now=T0 + timedelta(days=3))
    assert result.certified and result.item_agreement == pytest.approx(70 / 84)


def test_a_refresher_falls_due_and_a_new_pass_renews_it() -> None:
    standard = Standard(refresher_months=12)
    attempts = _attempts(6, 14, 6)
    lapsed = status(attempts, standard, now=T0 + timedelta(days=400))
    assert not lapsed.certified and lapsed.label == "Refresher overdue"
    assert status(attempts, standard, now=T0 + timedelta(days=350)).due_soon(T0 + timedelta(days=350))
    renewed = status(attempts + _attempts(6, 14, 6, start=T0 + timedelta(days=401)), standard,
                     now=T0 + timedelta(days=402))
    assert renewed.certified and renewed.certified_at > T0 + timedelta(days=400)


def test_the_force_sets_its_own_standard_within_sense() -> None:
    assert status(_attempts(3, 10, 2), Standard(0.7, 0.6, 3, 6), now=T0 + timedelta(days=1)).certified
    with pytest.raises(ValueError):
        Standard(min_item_agreement=1.5)
    with pytest.raises(ValueError):
        Standard(refresher_months=0)


def test_add_months_keeps_to_the_end_of_a_short_month() -> None:
    assert add_months(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2026, 3, 15, tzinfo=UTC), -12) == datetime(2025, 3, 15, tzinfo=UTC)
