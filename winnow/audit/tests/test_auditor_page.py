from __future__ import annotations

from typing import Any

from winnow.audit.models import AuditEvent


def test_it_lists_events_by_person_object_and_time_for_a_supervisor(client: Any, supervisor: Any, handler: Any, referral: Any) -> None:
    client.force_login(handler)
    client.get(f"/referrals/{referral.pk}/")
    client.force_login(supervisor)
    response = client.get("/audit/", {"person": "hannah.handler", "object": f"referral:{referral.pk}"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "referral.read" in body and "referral.create" in body
    assert "subject.create" not in body  # filtered by object


def test_it_audits_searches_of_the_audit_trail(client: Any, supervisor: Any) -> None:
    client.force_login(supervisor)
    client.get("/audit/", {"person": "hannah.handler"})
    event = AuditEvent.objects.get(action="audit.search")
    assert event.detail == {"person": "hannah.handler"}


def test_it_refuses_the_audit_trail_to_a_handler(client: Any, handler: Any) -> None:
    client.force_login(handler)
    assert client.get("/audit/").status_code == 403


def test_it_shows_another_units_supervisor_nothing_of_this_unit(client: Any, outsider_supervisor: Any, referral: Any) -> None:
    client.force_login(outsider_supervisor)
    body = client.get("/audit/").content.decode()
    assert "referral.create" not in body
