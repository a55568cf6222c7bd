"""A new referral linked to an open referral notifies that referral's owner; reading is recorded, never edited."""

from __future__ import annotations

from typing import Any

from django.test import Client

from winnow.audit.models import AuditEvent
from winnow.linkage.tests.support import record
from winnow.notifications.models import Notification, NotificationRead
from winnow.referrals.services import referral_transition

SAME_EMAIL = [{"role": "reported", "given_names": "T", "family_name": "M",
               "identifiers": [{"kind": "email", "value": "testy.mcfictional@example.com"}]}]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_notifies_the_owner_of_a_linked_open_referral(referral: Any, supervisor: Any, handler: Any, units: dict[str, Any]) -> None:
    new = record(supervisor, units["north"], subjects=SAME_EMAIL)
    note = Notification.objects.get()
    assert note.recipient == handler and note.referral == new and note.link == new.get_absolute_url()
    assert f"{new.reference} links to your referral {referral.reference}" in note.message
    assert "same email address testy.mcfictional@example.com" in note.message
    assert AuditEvent.objects.filter(action="notification.create", target_id=str(note.pk)).exists()


def test_it_does_not_notify_people_of_their_own_action(referral: Any, handler: Any, units: dict[str, Any]) -> None:
    record(handler, units["north"], subjects=SAME_EMAIL)
    assert not Notification.objects.exists()


def test_it_does_not_notify_about_closed_referrals(referral: Any, supervisor: Any, units: dict[str, Any]) -> None:
    referral_transition(actor=supervisor, referral=referral, to_status="closed", disposition="duplicate", reason="Test.")
    record(supervisor, units["north"], subjects=SAME_EMAIL)
    assert not Notification.objects.exists()


def test_it_shows_the_unread_count_and_marks_read(referral: Any, supervisor: Any, handler: Any, units: dict[str, Any]) -> None:
    new = record(supervisor, units["north"], subjects=SAME_EMAIL)
    note = Notification.objects.get()
    client = _client(handler)
    page = client.get("/notifications/").content.decode()
    assert 'aria-label="1 unread"' in page and new.reference in page and "Unread" in page
    response = client.post(f"/notifications/{note.pk}/read/", {"follow": "1"})
    assert response.status_code == 302 and response["Location"] == new.get_absolute_url()
    assert NotificationRead.objects.filter(notification=note).exists()
    assert 'unread"' not in client.get("/notifications/").content.decode()
    assert AuditEvent.objects.filter(action="notification.read", actor=handler).count() == 1
    client.post(f"/notifications/{note.pk}/read/")
    assert NotificationRead.objects.count() == 1  # reading twice records nothing new


def test_it_keeps_notifications_to_their_recipient(referral: Any, supervisor: Any, handler: Any, outsider: Any,
                                                  units: dict[str, Any]) -> None:
    record(supervisor, units["north"], subjects=SAME_EMAIL)
    note = Notification.objects.get()
    assert _client(supervisor).post(f"/notifications/{note.pk}/read/").status_code == 404
    assert _client(outsider).post(f"/notifications/{note.pk}/read/").status_code == 404
    assert "links to your referral" not in _client(outsider).get("/notifications/").content.decode()
    assert not NotificationRead.objects.exists()


def test_it_sends_anonymous_visitors_to_sign_in(client: Client, units: dict[str, Any]) -> None:
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_it_lists_notifications_in_the_api(referral: Any, supervisor: Any, handler: Any, units: dict[str, Any],
                                          token_for: Any) -> None:
    record(supervisor, units["north"], subjects=SAME_EMAIL)
    client = Client()
    body = client.get("/api/v1/notifications", HTTP_AUTHORIZATION=f"Bearer {token_for(handler)}").json()
    assert len(body) == 1 and body[0]["read"] is False and "links to your referral" in body[0]["message"]
    assert client.get("/api/v1/notifications", HTTP_AUTHORIZATION=f"Bearer {token_for(supervisor)}").json() == []
    assert client.get("/api/v1/notifications").status_code == 401
