"""End to end: a referral in one unit that links to another unit's referral or managed offender tells both units,
need-to-know only, and alerts the offender's manager, also when the person match is accepted a day later."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from django.utils import timezone

from winnow.audit.models import AuditEvent
from winnow.audit.services import audit_verify
from winnow.linkage.models import LinkageRun, LinkProposal
from winnow.linkage.services import proposal_decide
from winnow.notifications.models import Notification
from winnow.offenders.models import IntelligenceLink
from winnow.partners.models import Deconfliction, OffenderAlert

from .conftest import mapping, record

# What Eastvale's referral says about its case: none of it may reach Northmoor.
EAST_CASE = ("Alfie", "Fictitious", "Fictional Eastvale summary", "07700 900777", "07700900777", "home address")


def test_it_alerts_the_offender_manager_of_another_unit(linked: Any, managed: Any, offender_manager: Any,
                                                        east_handler: Any) -> None:
    alert = OffenderAlert.objects.get()
    assert (alert.offender, alert.referral, alert.unit_id) == (managed, linked.referral, managed.unit_id)
    note = alert.notification
    assert note.recipient == offender_manager and note.unit_id == managed.unit_id
    assert f"Referral {linked.referral.reference} in Eastvale Test Unit links to managed offender MO-{managed.pk}" \
        in note.message
    assert "same email address" in note.message and "edna.easthandler" in note.message
    assert note.link == linked.get_absolute_url()
    assert not IntelligenceLink.objects.exists()  # the offender's page never lists another unit's referral
    assert audit_verify().ok


def test_it_tells_both_units_with_need_to_know_content_only(linked: Any, handler: Any, east_handler: Any) -> None:
    north = Notification.objects.get(recipient=handler)  # owner of the Northmoor referral
    east = Notification.objects.get(recipient=east_handler)  # who recorded the new Eastvale referral
    assert linked.other_referral.reference in east.message and "Northmoor Test Unit" in east.message
    assert "hannah.handler" in east.message
    assert linked.referral.reference in north.message and "Eastvale Test Unit" in north.message
    for note in Notification.objects.filter(unit_id=linked.other_unit_id):
        for detail in EAST_CASE + ("testy.mcfictional@example.com",):
            assert detail not in note.message, (detail, note.message)
    for detail in ("Testy", "McFictional", "Fictional test referral", "07700 900123", "192.0.2.44"):
        assert detail not in east.message, detail
    assert linked.basis == "same email address"


def test_it_alerts_when_a_person_match_is_accepted_a_day_later(managed: Any, offender_manager: Any, handler: Any,
                                                                east_handler: Any, supervisor: Any,
                                                                units: Any) -> None:
    # Eastvale's referral shares a phone number with a second Northmoor subject, not yet known to be the offender.
    second = record(handler, units["north"], {**mapping("NORTH-2", "other.address@example.com",
                                                         given="Testy", family="McFictional")})
    east = record(east_handler, units["east"], mapping("EAST-2", "unrelated@example.com"))
    assert Deconfliction.objects.filter(referral=east, other_referral=second).exists()
    assert not OffenderAlert.objects.exists()
    assert not Notification.objects.filter(recipient=offender_manager).exists()
    left, right = sorted((managed.subject, second.subjects.get()), key=lambda s: s.pk)
    run = LinkageRun.objects.create(unit=units["north"], seconds=0.1, subjects=2, pairs_scored=1,
                                    proposals_created=1, threshold=0.9)
    proposal = LinkProposal.objects.create(unit=units["north"], run=run, left_subject=left, right_subject=right,
                                           match_probability=0.97, match_weight=8.0, fields=[])
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        proposal_decide(proposal=proposal, accept=True, actor=supervisor, reason="Same name and birth date.")
    alert = OffenderAlert.objects.get(referral=east)
    assert alert.offender == managed and "match accepted at proposal" in alert.reason
    assert alert.notification.recipient == offender_manager
    assert alert.created_at.date() > east.received_at.date() or alert.created_at > east.created_at
    # The same-unit referral whose subject joined the offender's person is intelligence on the offender too.
    assert IntelligenceLink.objects.filter(offender=managed, referral=second).exists()
    for detail in EAST_CASE:
        assert detail not in alert.notification.message
    assert audit_verify().ok


def test_it_records_each_link_once_and_audits_it_in_both_units(linked: Any) -> None:
    events = AuditEvent.objects.filter(action="deconfliction.create")
    assert {e.unit_id for e in events} == {linked.unit_id, linked.other_unit_id}
    assert Deconfliction.objects.count() == 1


def test_it_does_not_link_unrelated_referrals(managed: Any, east_handler: Any, units: Any) -> None:
    record(east_handler, units["east"], mapping("EAST-3", "nobody@example.com") | {"subjects": [
        {"role": "reported", "given_names": "Zed", "family_name": "Nobody",
         "identifiers": [{"kind": "email", "value": "nobody@example.com"}]}]})
    assert not Deconfliction.objects.exists() and not OffenderAlert.objects.exists()


def test_a_match_accepted_later_alerts_for_referrals_linked_either_way_in_the_offenders_unit(
        managed: Any, offender_manager: Any, handler: Any, supervisor: Any, units: Any) -> None:
    older = record(handler, units["north"], mapping("NORTH-OLD", "shared.account@example.com", given="Ann",
                                                    family="Other"))
    newer = record(handler, units["north"], mapping("NORTH-NEW", "shared.account@example.com", given="Testy",
                                                    family="McFictional"))
    assert not IntelligenceLink.objects.exists()
    left, right = sorted((managed.subject, newer.subjects.get()), key=lambda s: s.pk)
    run = LinkageRun.objects.create(unit=units["north"], seconds=0.1, subjects=2, pairs_scored=1,
                                    proposals_created=1, threshold=0.9)
    proposal = LinkProposal.objects.create(unit=units["north"], run=run, left_subject=left, right_subject=right,
                                           match_probability=0.97, match_weight=8.0, fields=[])
    proposal_decide(proposal=proposal, accept=True, actor=supervisor, reason="Same name and birth date.")
    linked = set(IntelligenceLink.objects.filter(offender=managed).values_list("referral__reference", flat=True))
    assert linked == {newer.reference, older.reference}  # the newer joined the person; the older links to it
    assert Notification.objects.filter(recipient=offender_manager).count() == 2
