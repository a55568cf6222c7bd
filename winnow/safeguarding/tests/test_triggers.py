"""Each trigger raises one concern (a safeguarding referral due), through the service that records it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from winnow.assessments.services import assessment_record
from winnow.audit.models import AuditEvent
from winnow.intake.corrections import referral_correct
from winnow.safeguarding.models import Concern
from winnow.workload.services import case_action_record


def test_a_referral_recorded_without_danger_raises_nothing(make_referral: Any) -> None:
    assert not Concern.objects.filter(referral=make_referral()).exists()


def test_the_danger_flag_at_intake_raises_one_concern_with_its_audit_event(make_referral: Any) -> None:
    referral = make_referral(danger=True)
    concern = Concern.objects.get(referral=referral)
    assert concern.trigger == "immediate_danger" and concern.unit_id == referral.unit_id
    assert AuditEvent.objects.filter(action="safeguarding.due", target_id=str(concern.pk)).exists()


def test_a_danger_flag_corrected_to_yes_raises_a_concern_due_that_day(make_referral: Any, handler: Any) -> None:
    referral = make_referral()
    referral_correct(actor=handler, referral=referral, field="immediate_danger", value=True,
                     reason="The reporting agency rang: the child lives with the suspect.")
    concern = Concern.objects.get(referral=referral)
    assert "corrected to Yes" in concern.reason
    assert timezone.localtime(concern.due_at - timedelta(microseconds=1)).date() == timezone.localdate()
    # Corrected back to No and to Yes again: still one concern, kept as raised.
    referral_correct(actor=handler, referral=referral, field="immediate_danger", value=False, reason="Misread.")
    referral_correct(actor=handler, referral=referral, field="immediate_danger", value=True, reason="Confirmed.")
    assert Concern.objects.filter(referral=referral).count() == 1


def test_an_assessment_recording_a_child_in_the_household_raises_one_concern(make_referral: Any,
                                                                            handler: Any) -> None:
    referral = make_referral()
    subject = referral.subjects.get()
    assessment_record(actor=handler, subject=subject, instrument_id="phased-prioritisation",
                      answers={"lives_with_children": "no", "access_children_known": "unknown"})
    assert not Concern.objects.exists()  # no and unknown are not yes
    first = assessment_record(actor=handler, subject=subject, instrument_id="phased-prioritisation",
                              answers={"lives_with_children": "yes"})
    concern = Concern.objects.get(referral=referral)
    assert concern.trigger == "household_or_access" and concern.source == f"assessment:{first.pk}"
    assert "lives with a child" in concern.reason
    assessment_record(actor=handler, subject=subject, instrument_id="phased-prioritisation",
                      answers={"lives_with_children": "yes", "access_children_role": "yes"})
    assert Concern.objects.filter(referral=referral).count() == 1  # a re-assessment raises no second one


def test_a_victim_identified_case_action_raises_a_concern(make_referral: Any, investigator: Any) -> None:
    referral = make_referral()
    case_action_record(actor=investigator, referral=referral, kind="victim_identified",
                       occurred_at=timezone.now(), note="Fictional child named by the school.")
    concern = Concern.objects.get(referral=referral)
    assert concern.trigger == "victim_identified" and "named by the school" in concern.reason


def test_a_child_identified_in_a_victim_identification_series_raises_a_concern_for_that_child(
        make_referral: Any, supervisor: Any) -> None:
    from winnow.triage.models import ScanResult
    from winnow.triage.services import exhibit_create
    from winnow.victimid.models import Series, SeriesMember, UnknownItem
    from winnow.victimid.services import Child, series_transition

    referral = make_referral()
    exhibit = exhibit_create(actor=supervisor, referral=referral, label="SG/1", description="Fictional phone")
    result = ScanResult.objects.create(exhibit=exhibit, unit_id=referral.unit_id, filename="t.scan.sqlite",
                                       sha256="0" * 64, size=1, storage_name="scan-results/none", files=1,
                                       via="server", received_by=supervisor)
    item = UnknownItem.objects.create(scan_result=result, exhibit=exhibit, referral=referral,
                                      unit_id=referral.unit_id, md5="1" * 32, media_type="image")
    series = Series.objects.create()
    SeriesMember.objects.create(series=series, item=item, unit_id=referral.unit_id)
    for step in ("under_review", "in_progress"):
        series_transition(actor=supervisor, series=series, unit_id=referral.unit_id, to=step, reason="Fictional.")
    series_transition(actor=supervisor, series=series, unit_id=referral.unit_id, to="child_identified",
                      reason="Named by a fictional school.", referral=referral,
                      child=Child(given_names="Fictional", family_name="Child", date_of_birth=None, sex="unknown"))
    concern = Concern.objects.get(referral=referral)
    assert concern.trigger == "victim_identified" and concern.subject is not None
    assert concern.subject.display_name == "Fictional Child" and concern.source == f"series:{series.pk}"
