"""Logging contacts: a phone call keeps the plan but not the in-person check; a missed visit moves nothing; a
correction replaces the contact it corrects; bad input is named and nothing is written."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from winnow.audit.models import AuditEvent
from winnow.offenders.models import Contact, ManagedOffender
from winnow.offenders.services import OffenderInputError, contact_record


def _log(client: Any, offender: Any, mode: str, outcome: str = "seen", days_ago: int = 0, **extra: str) -> Any:
    when = timezone.localtime(timezone.now() - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M")
    return client.post(f"/offenders/{offender.pk}/contacts/new/",
                       {"occurred_at": when, "mode": mode, "outcome": outcome, "device_check": "not_done", **extra})


def _fresh(offender: Any) -> Any:
    return ManagedOffender.objects.with_history().get(pk=offender.pk)


def test_it_keeps_the_lapse_after_a_phone_call_until_an_in_person_visit(client: Any, referral: Any,
                                                                       make_offender: Any,
                                                                       offender_manager: Any) -> None:
    offender = make_offender(referral.subjects.get(), created_days_ago=120)
    client.force_login(offender_manager)
    assert _log(client, offender, "phone").status_code == 302
    now = timezone.now()
    schedule = _fresh(offender).schedule(now)
    assert not schedule.visit.overdue and schedule.lapse is not None
    assert "In-person lapse" in client.get(offender.get_absolute_url()).content.decode()
    _log(client, offender, "home_visit", outcome="not_seen")
    assert _fresh(offender).schedule(now).lapse is not None
    _log(client, offender, "doorstep")
    assert _fresh(offender).schedule(timezone.now()).lapse is None
    assert "In-person lapse" not in client.get(offender.get_absolute_url()).content.decode()
    assert AuditEvent.objects.filter(action="offender.contact").count() == 3


def test_it_does_not_let_a_missed_visit_count(client: Any, referral: Any, make_offender: Any,
                                             offender_manager: Any) -> None:
    offender = make_offender(referral.subjects.get(), created_days_ago=100)
    client.force_login(offender_manager)
    _log(client, offender, "home_visit", outcome="not_seen", days_ago=1)
    schedule = _fresh(offender).schedule(timezone.now())
    assert schedule.visit.overdue and schedule.missed == 1


@pytest.mark.parametrize(("fields", "message"), [
    ({"mode": "carrier_pigeon"}, "Select a valid choice"),
    ({"occurred_at": "tomorrow"}, "When must be a real date"),
    ({"device_check": "concerns", "notes": ""}, "say what the device check found"),
])
def test_it_names_bad_contacts_and_writes_nothing(client: Any, managed: Any, offender_manager: Any,
                                                  fields: dict[str, str], message: str) -> None:
    client.force_login(offender_manager)
    fields = dict(fields)
    response = _log(client, managed, fields.pop("mode", "phone"), **fields)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Contact.objects.exists()


def test_it_refuses_a_contact_in_the_future(managed: Any, offender_manager: Any) -> None:
    with pytest.raises(OffenderInputError, match="occurred_at: is in the future"):
        contact_record(actor=offender_manager, offender=managed, occurred_at=timezone.now() + timedelta(hours=2),
                       mode="phone", outcome="seen", device_check="not_done")
    assert not Contact.objects.exists()


def test_it_corrects_a_contact_with_a_new_row(managed: Any, offender_manager: Any) -> None:
    when = timezone.now() - timedelta(days=1)
    wrong = contact_record(actor=offender_manager, offender=managed, occurred_at=when, mode="home_visit",
                           outcome="seen", device_check="no_concerns")
    right = contact_record(actor=offender_manager, offender=managed, occurred_at=when, mode="phone",
                           outcome="seen", device_check="not_done", corrects=wrong)
    assert [c.pk for c in _fresh(managed).standing_contacts()] == [right.pk]
    wrong.refresh_from_db()
    assert wrong.mode == "home_visit"  # the original is kept as it was
