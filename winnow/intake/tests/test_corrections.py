"""Intake facts are corrected as new records that point at what they correct; the recorded value stays. A danger
correction re-prioritises at once and notifies the owner. Every page: right unit, wrong unit, wrong role, anonymous."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from winnow.audit.models import AuditEvent
from winnow.core.priority import LONDON, Tier, add_days
from winnow.intake.corrections import CorrectionError, referral_correct
from winnow.notifications.models import Notification
from winnow.permissions import NotPermitted
from winnow.referrals.models import IntakeCorrection, Referral

WHY = "The referring officer phoned: the child lives at the address."


def test_it_corrects_danger_as_a_new_record_keeping_the_original(referral: Any, handler: Any, supervisor: Any) -> None:
    assert referral.priority_tier == Tier.UNASSESSED
    correction = referral_correct(actor=handler, referral=referral, field="immediate_danger", value=True, reason=WHY)
    referral.refresh_from_db()
    assert referral.immediate_danger is False  # as recorded, never edited
    assert referral.current_danger is True and referral.danger_corrected is True
    assert referral.priority_tier == Tier.DANGER_UNASSESSED  # re-prioritised at once
    assert (correction.before, correction.after, correction.corrects) == (False, True, None)
    assert correction.created_by == handler and correction.reason == WHY
    # Unassigned: the unit's supervisors are told.
    note = Notification.objects.get(referral=referral)
    assert note.recipient == supervisor and "IS now believed to be in immediate danger" in note.message
    assert AuditEvent.objects.filter(action="referral.correct", target_id=str(referral.pk)).exists()


def test_a_later_correction_points_at_the_one_it_replaces_and_tells_the_assignee(
    referral: Any, handler: Any, supervisor: Any, investigator: Any
) -> None:
    from winnow.workload.services import referrals_assign

    referrals_assign(actor=supervisor, referrals=[referral], assignee=investigator)
    first = referral_correct(actor=handler, referral=referral, field="immediate_danger", value=True, reason=WHY)
    second = referral_correct(actor=supervisor, referral=referral, field="immediate_danger", value=False,
                              reason="Checked at the address: the child moved away last year.")
    referral.refresh_from_db()
    assert second.corrects == first and (second.before, second.after) == (True, False)
    assert referral.current_danger is False and referral.priority_tier == Tier.UNASSESSED
    assert set(Notification.objects.filter(referral=referral).values_list("recipient__username", flat=True)) == {
        "ivan.investigator"}


def test_it_corrects_the_received_time_and_moves_the_deadline(referral: Any, handler: Any) -> None:
    earlier = referral.received_at - timedelta(days=3)
    referral_correct(actor=handler, referral=referral, field="received_at", value=earlier, reason=WHY)
    referral.refresh_from_db()
    assert referral.current_received_at == earlier and referral.received_at != earlier
    assert referral.deadline_at == add_days(earlier, 2)


def test_it_corrects_subject_details_and_summary_without_touching_the_records(referral: Any, handler: Any) -> None:
    subject = referral.subjects.get()
    referral_correct(actor=handler, referral=referral, subject=subject, field="family_name", value="McFictive",
                     reason="Spelling confirmed from the fictional passport record.")
    referral_correct(actor=handler, referral=referral, subject=subject, field="date_of_birth",
                     value=date(1981, 4, 1), reason="The passport shows 1981.")
    referral_correct(actor=handler, referral=referral, field="summary", value="Corrected fictional summary.",
                     reason="The first summary named the wrong platform.")
    subject.refresh_from_db()
    referral.refresh_from_db()
    assert subject.family_name == "McFictional" and subject.date_of_birth == date(1980, 4, 1)
    assert referral.summary.startswith("Fictional test referral")
    rows = list(IntakeCorrection.objects.filter(referral=referral).values_list("field", "before", "after"))
    assert rows == [("family_name", "McFictional", "McFictive"), ("date_of_birth", "1980-04-01", "1981-04-01"),
                    ("summary", referral.summary, "Corrected fictional summary.")]


@pytest.mark.parametrize(("field", "value", "where"), [
    ("immediate_danger", "yes", "value"),
    ("immediate_danger", False, "value"),  # already No: nothing to correct
    ("source", "rumour", "value"),
    ("received_at", datetime(2030, 1, 1, tzinfo=LONDON), "value"),
    ("received_at", datetime(2026, 1, 1), "value"),
    ("summary", "   ", "value"),
    ("family_name", "x", "subject"),  # a subject fact without a subject
    ("colour", "blue", "field"),
])
def test_it_refuses_bad_corrections_and_writes_nothing(
    referral: Any, handler: Any, field: str, value: Any, where: str
) -> None:
    with pytest.raises(CorrectionError) as caught:
        referral_correct(actor=handler, referral=referral, field=field, value=value, reason=WHY)
    assert caught.value.field == where
    assert not IntakeCorrection.objects.exists() and not Notification.objects.exists()


def test_it_needs_a_reason(referral: Any, handler: Any) -> None:
    with pytest.raises(CorrectionError, match="reason"):
        referral_correct(actor=handler, referral=referral, field="immediate_danger", value=True, reason="  ")
    assert not IntakeCorrection.objects.exists()


def test_it_refuses_other_units_and_roles(referral: Any, outsider: Any, make_person: Any) -> None:
    analyst = make_person("ann.analyst", "north", "analyst")
    for who in (outsider, analyst):
        with pytest.raises(NotPermitted):
            referral_correct(actor=who, referral=referral, field="immediate_danger", value=True, reason=WHY)
    assert not IntakeCorrection.objects.exists()


def test_it_refuses_editing_a_correction(referral: Any, handler: Any) -> None:
    from winnow.permanence import ImmutableError

    correction = referral_correct(actor=handler, referral=referral, field="immediate_danger", value=True, reason=WHY)
    correction.reason = "rewritten"
    with pytest.raises(ImmutableError):
        correction.save()
    with pytest.raises(ImmutableError):
        correction.delete()


# --- the page ---------------------------------------------------------------------------------------------------

def test_the_page_corrects_danger_and_the_referral_shows_both_values(client: Any, handler: Any, referral: Any) -> None:
    client.force_login(handler)
    url = f"/referrals/{referral.pk}/correct/"
    assert "Child believed to be in immediate danger" in client.get(url).content.decode()
    page = client.get(url, {"fact": "immediate_danger"}).content.decode()
    assert "Now recorded as" in page and 'type="radio"' in page and " checked" not in page
    response = client.post(f"{url}?fact=immediate_danger", {"value": "", "reason": ""})
    assert response.status_code == 200 and "Error:" in response.content.decode()
    assert not IntakeCorrection.objects.exists()
    response = client.post(f"{url}?fact=immediate_danger", {"value": "yes", "reason": WHY})
    assert response.status_code == 302 and response["Location"] == referral.get_absolute_url()
    detail = client.get(referral.get_absolute_url()).content.decode()
    assert "recorded No, corrected to <strong>Yes</strong>" in detail and WHY in detail
    assert "A child is believed to be in immediate danger" in detail


def test_the_page_corrects_a_subject_detail(client: Any, handler: Any, referral: Any) -> None:
    client.force_login(handler)
    subject = referral.subjects.get()
    url = f"/referrals/{referral.pk}/correct/?fact=addresses&subject={subject.pk}"
    response = client.post(url, {"value": "2 Example Road, Testtown\n", "reason": "Moved, per the fictional council."})
    assert response.status_code == 302
    assert IntakeCorrection.objects.get().after == ["2 Example Road, Testtown"]
    # a subject fact without a subject goes back to the choice
    assert client.get(f"/referrals/{referral.pk}/correct/?fact=addresses").status_code == 302


@pytest.mark.parametrize("value", ["yesterday", "2026-13-45 10:00", "<script>"])
def test_the_page_names_a_bad_time_without_a_500(client: Any, handler: Any, referral: Any, value: str) -> None:
    client.force_login(handler)
    response = client.post(f"/referrals/{referral.pk}/correct/?fact=received_at", {"value": value, "reason": WHY})
    assert response.status_code == 200 and "2026-11-20 14:30" in response.content.decode()
    assert not IntakeCorrection.objects.exists()


def test_the_page_sends_anonymous_to_login(client: Any, referral: Any) -> None:
    response = client.get(f"/referrals/{referral.pk}/correct/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_page_gives_another_unit_404(client: Any, outsider: Any, referral: Any) -> None:
    client.force_login(outsider)
    assert client.get(f"/referrals/{referral.pk}/correct/").status_code == 404
    assert client.post(f"/referrals/{referral.pk}/correct/?fact=immediate_danger",
                       {"value": "yes", "reason": WHY}).status_code == 404
    assert not IntakeCorrection.objects.exists()


def test_the_page_refuses_a_role_that_does_not_progress_referrals(client: Any, make_person: Any, referral: Any) -> None:
    client.force_login(make_person("fred.forensic", "north", "forensic"))
    assert client.get(f"/referrals/{referral.pk}/correct/").status_code == 403
    assert not IntakeCorrection.objects.exists()


def test_the_referral_queue_order_follows_a_danger_correction(handler: Any, referral: Any) -> None:
    from winnow.core.intake import referral_from_mapping
    from winnow.intake.services import canonical_json, referral_record
    from winnow.referrals.services import referral_apply_band

    mapping = {"source": "nca_ceop", "received_at": timezone.now().isoformat(), "summary": "Fictional other.",
               "immediate_danger": False, "subjects": []}
    other = referral_record(actor=handler, unit=referral.unit, draft=referral_from_mapping(mapping, now=timezone.now()),
                            raw=canonical_json(mapping), media_type="application/json", via="api")
    referral_apply_band(actor=handler, referral=other, band="very_high", decided_at=timezone.now(), why="test")
    assert list(Referral.objects.queue().values_list("pk", flat=True)) == [other.pk, referral.pk]
    referral_correct(actor=handler, referral=referral, field="immediate_danger", value=True, reason=WHY,
                     now=timezone.now())
    assert list(Referral.objects.queue().values_list("pk", flat=True)) == [referral.pk, other.pk]


def test_the_referral_page_shows_each_fact_as_it_now_stands(client: Any, handler: Any, referral: Any) -> None:
    """The summary rows show the corrected value, tagged, as the API does; the box above keeps what was recorded."""
    client.force_login(handler)
    subject = referral.subjects.get()
    url = f"/referrals/{referral.pk}/correct/"
    assert client.post(f"{url}?fact=summary", {"value": "Corrected fictional summary.", "reason": WHY}).status_code == 302
    assert client.post(f"{url}?fact=family_name&subject={subject.pk}",
                       {"value": "Correctedname", "reason": WHY}).status_code == 302
    detail = client.get(referral.get_absolute_url()).content.decode()
    rows = detail[detail.index('<dl class="govuk-summary-list">'):]
    summary_row = rows[rows.index(">Summary</dt>"):][:400]
    assert "Corrected fictional summary." in summary_row and "Corrected</strong>" in summary_row
    assert referral.summary not in summary_row
    assert "name corrected to" in detail and "Correctedname" in detail
    assert f"recorded {referral.summary}" in detail  # the original stays visible
