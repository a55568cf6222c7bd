"""Recording outcomes on a closed referral: the right unit's investigators and supervisors only; append-only."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from winnow.audit.models import AuditEvent
from winnow.permanence import ImmutableError
from winnow.referrals.services import referral_transition
from winnow.validation.models import OutcomeFollowUp, SubjectOutcome
from winnow.validation.services import OutcomeError, outcome_record

POST = {"contact_offending": "charged", "children_safeguarded": "2", "victims_identified": "", "charge": "",
        "court_outcome": "", "note": "", "correction_reason": ""}


@pytest.fixture
def closed(referral: Any, supervisor: Any) -> Any:
    for status in ("assessment", "awaiting_action"):  # a referral closes once its band is decided
        referral_transition(actor=supervisor, referral=referral, to_status=status)
    referral_transition(actor=supervisor, referral=referral, to_status="closed", disposition="charged",
                        reason="Fictional test closure")
    return referral


def post(client: Any, referral: Any, **values: str) -> Any:
    subject = referral.subjects.get()
    data = {"subject_id": str(subject.pk), **{f"s{subject.pk}-{k}": v for k, v in {**POST, **values}.items()}}
    return client.post(f"/validation/referrals/{referral.pk}/outcomes/", data)


def test_an_investigator_of_the_unit_records_an_outcome(client: Any, closed: Any, investigator: Any) -> None:
    client.force_login(investigator)
    page = client.get(f"/validation/referrals/{closed.pk}/outcomes/")
    assert page.status_code == 200 and b"Record the outcome" in page.content
    assert post(client, closed).status_code == 302
    outcome = SubjectOutcome.objects.get()
    assert (outcome.contact_offending, outcome.children_safeguarded, outcome.victims_identified) == ("charged", 2, None)
    assert outcome.event is True
    assert AuditEvent.objects.filter(action="outcome.record", target_id=str(outcome.pk)).exists()
    assert AuditEvent.objects.filter(action="referral.read", target_id=str(closed.pk)).exists()


def test_a_correction_needs_a_reason_and_keeps_the_first(client: Any, closed: Any, supervisor: Any) -> None:
    client.force_login(supervisor)
    post(client, closed)
    post(client, closed, contact_offending="convicted")
    assert SubjectOutcome.objects.count() == 1
    post(client, closed, contact_offending="convicted", correction_reason="Convicted at crown court")
    first, second = SubjectOutcome.objects.order_by("id")
    assert second.supersedes == first and SubjectOutcome.objects.current().get() == second


def test_an_outsider_gets_404(client: Any, closed: Any, outsider_supervisor: Any) -> None:
    client.force_login(outsider_supervisor)
    assert client.get(f"/validation/referrals/{closed.pk}/outcomes/").status_code == 404
    assert post(client, closed).status_code == 404
    assert not SubjectOutcome.objects.exists()


def test_a_handler_of_the_unit_may_not_record(client: Any, closed: Any, handler: Any) -> None:
    client.force_login(handler)
    assert client.get(f"/validation/referrals/{closed.pk}/outcomes/").status_code == 403
    assert post(client, closed).status_code == 403


def test_anonymous_is_sent_to_sign_in(client: Any, closed: Any) -> None:
    response = client.get(f"/validation/referrals/{closed.pk}/outcomes/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_open_referral_takes_no_outcome(referral: Any, investigator: Any) -> None:
    with pytest.raises(OutcomeError, match="not closed"):
        outcome_record(actor=investigator, subject=referral.subjects.get(), contact_offending="none_found",
                       children_safeguarded=None, victims_identified=None)


def test_outcomes_are_never_edited_or_deleted(closed: Any, investigator: Any) -> None:
    outcome = outcome_record(actor=investigator, subject=closed.subjects.get(), contact_offending="unknown",
                             children_safeguarded=None, victims_identified=None)
    assert outcome.event is None
    outcome.note = "changed"
    with pytest.raises(ImmutableError):
        outcome.save()
    with pytest.raises(ImmutableError):
        outcome.delete()
    with pytest.raises(ImmutableError):
        SubjectOutcome.objects.all().delete()


def test_the_database_refuses_raw_edits(closed: Any, supervisor: Any) -> None:
    outcome = outcome_record(actor=supervisor, subject=closed.subjects.get(), contact_offending="none_found",
                             children_safeguarded=0, victims_identified=0)
    with pytest.raises((DatabaseError, IntegrityError), match="never edited"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("UPDATE validation_subjectoutcome SET note = 'x' WHERE id = %s", [outcome.pk])
    with pytest.raises((DatabaseError, IntegrityError), match="never deleted"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("DELETE FROM validation_subjectoutcome WHERE id = %s", [outcome.pk])


def test_a_later_conviction_is_a_new_record(client: Any, closed: Any, investigator: Any) -> None:
    client.force_login(investigator)
    post(client, closed)
    outcome = SubjectOutcome.objects.get()
    client.post(f"/validation/referrals/{closed.pk}/outcomes/", {
        "action": "follow_up", "outcome_id": str(outcome.pk), f"f{outcome.pk}-outcome": str(outcome.pk),
        f"f{outcome.pk}-occurred_on": "2027-03-01", f"f{outcome.pk}-contact_offence": "on"})
    follow_up = OutcomeFollowUp.objects.get()
    assert follow_up.outcome == outcome and follow_up.contact_offence and follow_up.kind == "later_conviction"


def test_the_referral_page_links_to_outcomes_once_closed(client: Any, closed: Any, investigator: Any) -> None:
    client.force_login(investigator)
    assert f"/validation/referrals/{closed.pk}/outcomes/".encode() in client.get(f"/referrals/{closed.pk}/").content


def test_a_later_conviction_date_is_asked_for_in_govuk_boxes(client: Any, closed: Any, investigator: Any) -> None:
    """Day, month and year boxes (GOV.UK's date input); a bad part is named and nothing is recorded."""
    client.force_login(investigator)
    post(client, closed)
    outcome = SubjectOutcome.objects.get()
    page = client.get(f"/validation/referrals/{closed.pk}/outcomes/").content.decode()
    assert f'name="f{outcome.pk}-occurred_on-day"' in page and "For example, 27 3 2026" in page
    url = f"/validation/referrals/{closed.pk}/outcomes/"
    base = {"action": "follow_up", "outcome_id": str(outcome.pk)}
    bad = client.post(url, {**base, f"f{outcome.pk}-occurred_on-day": "31", f"f{outcome.pk}-occurred_on-month": "2",
                            f"f{outcome.pk}-occurred_on-year": "2027"}, follow=True)
    assert "Date of the later conviction must be a real date" in bad.content.decode()
    assert not OutcomeFollowUp.objects.exists()
    client.post(url, {**base, f"f{outcome.pk}-occurred_on-day": "1", f"f{outcome.pk}-occurred_on-month": "3",
                      f"f{outcome.pk}-occurred_on-year": "2027"})
    assert str(OutcomeFollowUp.objects.get().occurred_on) == "2027-03-01"
