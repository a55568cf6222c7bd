"""Recording case facts: vocabulary-checked, Unknown apart from not recorded, corrections as new records, audited,
and the derived trend counts always equal to independent SQL over the facts."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.db import connection

from winnow.audit.models import AuditEvent
from winnow.permanence import ImmutableError
from winnow.research.models import CaseFact, TrendCount
from winnow.research.services import (
    CaseFactError,
    case_facts_record,
    current_facts,
    quarter_of,
    trends_rebuild,
)

from .factories import cases_with_facts, fictional_referral, random_facts


@pytest.fixture
def subject(units: Any, investigator: Any) -> Any:
    return fictional_referral(units["north"], investigator, 1, "2020-05-04T09:00:00+00:00").subjects.get()


def test_it_records_facts_with_the_derived_age_band_and_an_audit_event(subject: Any, investigator: Any) -> None:
    changed = case_facts_record(actor=investigator, subject=subject,
                                facts={"sex": ["male"], "concealment": ["encryption", "cloud_storage"]})
    assert changed == ["age_band", "sex", "concealment"]
    assert current_facts(subject) == {"age_band": ("40-44",), "sex": ("male",),
                                      "concealment": ("encryption", "cloud_storage")}
    event = AuditEvent.objects.filter(action="casefacts.record").get()
    assert event.detail["measures"] == ["age_band", "sex", "concealment"]
    assert CaseFact.objects.filter(subject=subject).first().quarter == 20202


def test_unknown_is_recorded_and_distinct_from_not_recorded(subject: Any, investigator: Any) -> None:
    case_facts_record(actor=investigator, subject=subject, facts={"living_alone": ["unknown"]})
    facts = current_facts(subject)
    assert facts["living_alone"] == ("unknown",)
    assert "employment" not in facts  # nobody looked: not in the measure's n at all


def test_a_correction_is_a_new_record_that_points_at_the_old_and_needs_a_reason(subject: Any, investigator: Any) -> None:
    case_facts_record(actor=investigator, subject=subject, facts={"severity": ["c"]})
    with pytest.raises(CaseFactError, match="needs a reason"):
        case_facts_record(actor=investigator, subject=subject, facts={"severity": ["a"]})
    case_facts_record(actor=investigator, subject=subject, facts={"severity": ["a"]}, reason="Exhibit re-graded")
    old, new = CaseFact.objects.filter(subject=subject, measure="severity").order_by("id")
    assert (old.value, old.current, new.value, new.current, new.corrects_id) == ("c", False, "a", True, old.pk)
    assert AuditEvent.objects.filter(action="casefacts.correct").get().detail["reason"] == "Exhibit re-graded"
    with pytest.raises(ImmutableError):
        old.value = "b"
        old.save()
    with pytest.raises(ImmutableError):
        old.delete()


def test_the_same_options_again_change_nothing(subject: Any, investigator: Any) -> None:
    case_facts_record(actor=investigator, subject=subject, facts={"sex": ["male"]})
    events = AuditEvent.objects.count()
    assert case_facts_record(actor=investigator, subject=subject, facts={"sex": ["male"]}) == []
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(("facts", "reason"), [
    ({"sex": ["male", "female"]}, "only one"),
    ({"concealment": ["unknown", "encryption"]}, "cannot be recorded with other options"),
    ({"telepathy": ["yes"]}, "not a case-facts measure"),
    ({"sex": ["martian"]}, "not one of"),
    ({"age_band": ["20-24"]}, "derived"),
])
def test_bad_facts_are_refused_naming_the_measure_and_nothing_is_written(
    subject: Any, investigator: Any, facts: dict[str, list[str]], reason: str
) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(CaseFactError, match=reason):
        case_facts_record(actor=investigator, subject=subject, facts={"employment": ["retired"], **facts})
    assert not CaseFact.objects.exists() and not TrendCount.objects.exists()
    assert AuditEvent.objects.count() == events


def _sql_counts(unit_id: int) -> dict[tuple[str, str, int], int]:
    """Independent SQL over the facts table: current rows per measure, option and quarter, and subjects per
    measure and quarter (option "")."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT measure, value, quarter, COUNT(*) FROM research_casefact WHERE unit_id = %s AND current "
            "GROUP BY measure, value, quarter "
            "UNION ALL SELECT measure, '', quarter, COUNT(DISTINCT subject_id) FROM research_casefact "
            "WHERE unit_id = %s AND current GROUP BY measure, quarter", [unit_id, unit_id])
        return {(m, v, q): n for m, v, q, n in cursor.fetchall()}


def test_the_trend_counts_equal_independent_sql_after_records_and_corrections(units: Any, investigator: Any) -> None:
    referrals = cases_with_facts(units["north"], investigator, 40)
    rng = random.Random(9)
    for referral in rng.sample(referrals, 15):  # corrections move counts between options
        case_facts_record(actor=investigator, subject=referral.subjects.get(), facts=random_facts(rng),
                          reason="Fictional correction")
    kept = {(t.measure, t.value, t.quarter): t.cases for t in TrendCount.objects.filter(unit=units["north"]) if t.cases}
    assert kept == _sql_counts(units["north"].pk)
    trends_rebuild(unit_id=units["north"].pk)
    rebuilt = {(t.measure, t.value, t.quarter): t.cases for t in TrendCount.objects.filter(unit=units["north"])}
    assert rebuilt == kept


def test_quarters_are_london_quarters() -> None:
    from datetime import UTC, datetime
    assert quarter_of(datetime(2020, 3, 31, 22, 30, tzinfo=UTC)) == 20201  # 23:30 BST on 31 March
    assert quarter_of(datetime(2020, 3, 31, 23, 30, tzinfo=UTC)) == 20202  # 00:30 BST on 1 April
    assert quarter_of(datetime(2020, 12, 31, 23, 30, tzinfo=UTC)) == 20204  # GMT: still 31 December
