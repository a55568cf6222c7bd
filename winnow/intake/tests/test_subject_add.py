"""A person is added to a referral already recorded (a CyberTipline report with only an IP address, until a
subscriber check names the account holder; a second suspect identified later): appended, never edited, with a
reason and an audit event, and followed up as intake follows up a new person, for that person alone: their links,
alerts and deconflictions, never again the earlier subjects'. All people fictional; identifiers on example.com and
192.0.2.0/24."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from winnow.audit.models import AuditEvent
from winnow.audit.services import audit_verify
from winnow.core.intake import IntakeError
from winnow.core.intake.mapping import subject_from_mapping
from winnow.intake.services import MAX_ADD_REASON, ReferralClosed, subject_add
from winnow.linkage.models import IdentifierLink, KnownElsewhere
from winnow.linkage.tests.support import record
from winnow.notifications.models import Notification
from winnow.offenders.models import IntelligenceLink
from winnow.partners.models import Deconfliction
from winnow.permissions import NotPermitted
from winnow.referrals.models import Identifier, Status, Subject, SubjectAddition
from winnow.referrals.services import referral_transition

WHY = "Subscriber check on 192.0.2.10 (fictional ISP return, ref SC-0001) names the account holder."


def person(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "role": "reported", "given_names": "Addy", "family_name": "Laterfound", "date_of_birth": "1985-06-02",
        "sex": "male", "addresses": ["2 Example Road, Testtown"],
        "identifiers": [{"kind": "email", "value": "addy.laterfound@example.com"}],
    }
    data.update(overrides)
    return data


def draft(**overrides: Any) -> Any:
    return subject_from_mapping(person(**overrides), now=timezone.now())


@pytest.fixture
def nameless(supervisor: Any, units: dict[str, Any]) -> Any:
    """A Northmoor referral that arrived naming nobody (recorded by the supervisor)."""
    return record(supervisor, units["north"], subjects=[], reference="CT-NOBODY-1")


def follow_ups() -> list[dict[str, Any]]:
    return [r.args_kwargs["kwargs"] for r in DBTaskResult.objects.order_by("enqueued_at")
            if r.task_path == "winnow.intake.tasks.referral_follow_up"]


def test_it_appends_the_person_with_a_reason_and_changes_nothing_recorded(nameless: Any, handler: Any) -> None:
    before = (nameless.status, nameless.priority_tier, nameless.deadline_at, nameless.summary)
    subject = subject_add(actor=handler, referral=nameless, draft=draft(), reason=f"  {WHY}  ")
    assert (subject.referral, subject.unit, subject.created_by) == (nameless, nameless.unit, handler)
    assert (subject.given_names, subject.family_name, subject.date_of_birth) == ("Addy", "Laterfound",
                                                                                 date(1985, 6, 2))
    assert list(subject.identifiers.values_list("normalised", flat=True)) == ["addy.laterfound@example.com"]
    addition = SubjectAddition.objects.get()
    assert (addition.referral, addition.subject, addition.created_by, addition.reason) == (
        nameless, subject, handler, WHY)
    nameless.refresh_from_db()
    assert (nameless.status, nameless.priority_tier, nameless.deadline_at, nameless.summary) == before
    event = AuditEvent.objects.get(action="referral.subject_add")
    assert (event.target_type, event.target_id, event.actor) == ("referral", str(nameless.pk), handler)
    assert event.detail["reference"] == nameless.reference and event.detail["reason"] == WHY
    assert event.detail["subject"] == subject.pk and event.detail["identifiers"] == 1
    assert AuditEvent.objects.filter(action="subject.create", target_id=str(subject.pk)).exists()
    # Person linkage of the new person alone, on the worker, committed with the addition.
    assert follow_ups()[-1] == {"referral_id": nameless.pk, "subject_ids": [subject.pk]}
    assert audit_verify().ok


def test_a_second_person_is_appended_beside_the_first(referral: Any, investigator: Any) -> None:
    first = referral.subjects.get()
    second = subject_add(actor=investigator, referral=referral, reason="Second suspect named in interview.",
                         draft=draft(identifiers=[]))
    assert list(referral.subjects.order_by("id")) == [first, second]
    first.refresh_from_db()
    assert first.given_names == "Testy" and first.identifiers.count() == 3  # untouched
    assert list(SubjectAddition.objects.values_list("subject_id", flat=True)) == [second.pk]


def test_it_links_only_the_new_persons_identifiers_and_notifies_once(
        referral: Any, handler: Any, supervisor: Any, units: dict[str, Any]) -> None:
    # B shares Testy's e-mail: linked to the fixture's referral at intake, its owner (the handler) told once.
    later = record(supervisor, units["north"], reference="CT-B", subjects=[
        {"role": "reported", "given_names": "T", "family_name": "M",
         "identifiers": [{"kind": "email", "value": "testy.mcfictional@example.com"}]}])
    assert IdentifierLink.objects.filter(referral=later).count() == 1
    assert Notification.objects.filter(recipient=handler).count() == 1

    # A person added to B shares Testy's phone: one new link, one new notice saying a person was added.
    added = subject_add(actor=supervisor, referral=later, reason=WHY, draft=draft(identifiers=[
        {"kind": "phone", "value": "+44 7700 900123"}, {"kind": "email", "value": "fresh.address@example.com"}]))
    links = list(IdentifierLink.objects.filter(referral=later).order_by("id").values_list("subject_id", "reason"))
    assert links == [(later.subjects.order_by("id").first().pk, "same email address testy.mcfictional@example.com"),
                     (added.pk, "same phone number +447700900123")]
    notes = list(Notification.objects.filter(recipient=handler).order_by("id").values_list("message", flat=True))
    assert len(notes) == 2
    assert notes[1] == (f"A person added to referral {later.reference} links to your referral {referral.reference}: "
                        "same phone number +447700900123.")

    # A third person sharing nothing: no link, no notice, and the earlier ones are not repeated.
    subject_add(actor=supervisor, referral=later, reason="Named by a witness.",
                draft=draft(given_names="Nolink", identifiers=[{"kind": "email", "value": "nolink@example.com"}]))
    assert IdentifierLink.objects.filter(referral=later).count() == 2
    assert Notification.objects.filter(recipient=handler).count() == 2
    assert audit_verify().ok


def _manage(subject: Any, manager: Any) -> Any:
    from winnow.offenders.services import offender_register

    plan = {"risk": "medium", "mappa_category": 1, "mappa_level": 1, "manager": manager, "visit_every": 3,
            "visit_unit": "months", "in_person_every": 3, "in_person_unit": "months", "review_every": 12,
            "review_unit": "months", "digital_indicators": [], "civil_orders": False, "conditions": "",
            "clean_since": None, "reason": "Fictional test plan."}
    return offender_register(actor=manager, subject=subject, convicted_on=date(2024, 5, 1), disposal="custody",
                             custody_months=12, under_18=False, plan=plan)


def test_it_alerts_the_offender_manager_once_per_offender_and_referral(
        referral: Any, nameless: Any, handler: Any, make_person: Any) -> None:
    manager = make_person("olly.manager", "north", "offender_manager")
    offender = _manage(referral.subjects.get(), manager)
    subject_add(actor=handler, referral=nameless, reason=WHY, draft=draft(identifiers=[
        {"kind": "email", "value": "Testy.McFictional@example.com"}]))
    note = Notification.objects.get(recipient=manager)
    assert note.message.startswith(f"A person added to referral {nameless.reference} links to managed offender "
                                   f"{offender}")
    assert IntelligenceLink.objects.get().referral == nameless
    # Another person on the same referral linking to the same offender: the manager already knows.
    subject_add(actor=handler, referral=nameless, reason="Second account holder at the address.",
                draft=draft(given_names="Other", identifiers=[{"kind": "phone", "value": "07700 900123"}]))
    assert Notification.objects.filter(recipient=manager).count() == 1
    assert IntelligenceLink.objects.count() == 1


def test_it_deconflicts_the_new_person_with_another_unit_once(
        nameless: Any, handler: Any, outsider: Any, supervisor: Any, units: dict[str, Any]) -> None:
    east = record(outsider, units["east"], reference="EAST-1", subjects=[
        {"role": "reported", "given_names": "Eddie", "family_name": "Eastfile",
         "identifiers": [{"kind": "email", "value": "shared.holder@example.com"}]}])
    added = subject_add(actor=handler, referral=nameless, reason=WHY, draft=draft(identifiers=[
        {"kind": "email", "value": "shared.holder@example.com"}]))
    record_ = Deconfliction.objects.get()
    assert (record_.referral, record_.subject_id, record_.other_referral) == (nameless, added.pk, east)
    assert {(k.unit.code, k.referral) for k in KnownElsewhere.objects.all()} == {("north", nameless), ("east", east)}
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"otto.outsider", "sara.supervisor"}  # each side's owner: the recorder of each referral
    count = Notification.objects.count()
    subject_add(actor=handler, referral=nameless, reason="A second person at the address.",
                draft=draft(given_names="Second", identifiers=[{"kind": "email", "value": "other@example.com"}]))
    assert Deconfliction.objects.count() == 1 and KnownElsewhere.objects.count() == 2
    assert Notification.objects.count() == count


def test_a_closed_referral_refuses_and_nothing_is_written(nameless: Any, handler: Any, supervisor: Any) -> None:
    referral_transition(actor=supervisor, referral=nameless, to_status=Status.CLOSED, disposition="duplicate",
                        reason="Duplicate of a fictional earlier report.")
    events = AuditEvent.objects.count()
    with pytest.raises(ReferralClosed) as caught:
        subject_add(actor=handler, referral=nameless, draft=draft(), reason=WHY)
    assert caught.value.errors[0].field == "referral"
    assert "is closed: people are not added to a closed referral" in caught.value.errors[0].reason
    assert not Subject.objects.filter(referral=nameless).exists() and not SubjectAddition.objects.exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("who", ["outsider", "outsider_supervisor", "analyst", "forensic"])
def test_only_the_referrals_unit_and_a_role_that_corrects_intake_may_add(
        who: str, nameless: Any, request: Any) -> None:
    actor = request.getfixturevalue(who)
    with pytest.raises(NotPermitted):
        subject_add(actor=actor, referral=nameless, draft=draft(), reason=WHY)
    assert not Subject.objects.filter(referral=nameless).exists()
    assert not AuditEvent.objects.filter(action="referral.subject_add").exists()


@pytest.mark.parametrize(("reason", "says"), [
    ("", "say how this person was identified"),
    ("   \n ", "say how this person was identified"),
    ("x" * (MAX_ADD_REASON + 1), f"the limit is {MAX_ADD_REASON:,}"),
    ("Subscriber\x00check", "NUL"),
    ("Found <script>alert(1)</script>", "markup"),
])
def test_the_reason_is_required_limited_and_clean(reason: str, says: str, nameless: Any, handler: Any) -> None:
    with pytest.raises(IntakeError) as caught:
        subject_add(actor=handler, referral=nameless, draft=draft(), reason=reason)
    assert [e.field for e in caught.value.errors] == ["reason"]
    assert says.lower() in caught.value.errors[0].reason.lower()
    assert not Subject.objects.exists() and not Identifier.objects.exists()


def test_a_person_with_nothing_known_is_refused(nameless: Any, handler: Any) -> None:
    with pytest.raises(IntakeError) as caught:
        subject_add(actor=handler, referral=nameless, reason=WHY, draft=draft(
            given_names="", family_name="", date_of_birth=None, addresses=[], identifiers=[]))
    assert "give at least a name" in caught.value.errors[0].reason
    assert not Subject.objects.exists()


def test_the_same_person_twice_is_refused(nameless: Any, handler: Any) -> None:
    subject_add(actor=handler, referral=nameless, draft=draft(), reason=WHY)
    with pytest.raises(IntakeError) as caught:  # a double submission, or someone else added them meanwhile
        subject_add(actor=handler, referral=nameless, draft=draft(given_names="ADDY", identifiers=[]), reason=WHY)
    assert caught.value.errors[0].field == "given_names" and "already on" in caught.value.errors[0].reason
    assert Subject.objects.filter(referral=nameless).count() == 1


@pytest.mark.parametrize(("overrides", "field", "says"), [
    ({"given_names": "Ad\x00dy"}, "given_names", "NUL"),
    ({"family_name": "L" * 100_000}, "family_name", "limit is 200"),
    ({"addresses": ["A" * 501]}, "addresses[1]", "limit is 500"),
    ({"date_of_birth": "2999-01-01"}, "date_of_birth", "in the future"),
    ({"date_of_birth": "0000-01-01"}, "date_of_birth", "not a valid date"),
    ({"role": "ringleader"}, "role", "reported"),
    ({"role": None}, "role", "required"),
    ({"identifiers": [{"kind": "ip", "value": "999.0.2.1"}]}, "identifiers[1].value", ""),
    ({"identifiers": [{"kind": "username", "value": "handle"}]}, "identifiers[1].platform", "platform"),
    ({"shoe_size": 9}, "shoe_size", "not a known field"),
])
def test_hostile_input_is_named_and_nothing_is_written(overrides: dict[str, Any], field: str, says: str) -> None:
    with pytest.raises(IntakeError) as caught:
        subject_from_mapping(person(**overrides), now=timezone.now())
    assert field in [e.field for e in caught.value.errors], caught.value.errors
    reason = next(e.reason for e in caught.value.errors if e.field == field)
    assert says.lower() in reason.lower()


def test_a_draft_built_in_python_still_meets_the_text_rules(nameless: Any, handler: Any) -> None:
    import dataclasses

    bad = dataclasses.replace(draft(), given_names="=HYPERLINK(\"http://example.com\")")
    with pytest.raises(IntakeError) as caught:
        subject_add(actor=handler, referral=nameless, draft=bad, reason=WHY)
    assert caught.value.errors[0].field == "given_names" and "formula" in caught.value.errors[0].reason
    assert not Subject.objects.exists()
