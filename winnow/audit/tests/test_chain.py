"""The audit trail: every change and read recorded in the same transaction, hash-chained, never edited."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from winnow import permanence
from winnow.audit.models import AuditEvent
from winnow.audit.services import AuditAction, audit_record, audit_verify
from winnow.permanence import ImmutableError


def test_it_records_the_creation_of_a_referral_and_its_subjects(referral: Any) -> None:
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", "target_id", "actor_username", "request_id"))
    assert actions == [
        ("referral.create", str(referral.pk), "hannah.handler", "test-fixture"),
        ("subject.create", str(referral.subjects.get().pk), "hannah.handler", "test-fixture"),
    ]


def test_it_records_every_read_of_a_referral_page_with_the_request_id(client: Any, investigator: Any, referral: Any) -> None:
    client.force_login(investigator)
    response = client.get(f"/referrals/{referral.pk}/", HTTP_X_REQUEST_ID="req-abc-12345")
    assert response["X-Request-ID"] == "req-abc-12345"
    event = AuditEvent.objects.get(action="referral.read")
    assert (event.actor, event.unit_id, event.target_id, event.request_id) == (
        investigator, referral.unit_id, str(referral.pk), "req-abc-12345")


def test_it_records_a_read_of_a_subject_page(client: Any, investigator: Any, referral: Any) -> None:
    client.force_login(investigator)
    subject = referral.subjects.get()
    client.get(f"/referrals/subjects/{subject.pk}/")
    assert AuditEvent.objects.filter(action="subject.read", target_id=str(subject.pk), actor=investigator).count() == 1


def test_it_does_not_record_a_read_that_was_refused(client: Any, outsider: Any, referral: Any) -> None:
    client.force_login(outsider)
    client.get(f"/referrals/{referral.pk}/")
    assert not AuditEvent.objects.filter(action="referral.read").exists()


def test_it_refuses_to_write_outside_a_transaction(db: Any) -> None:
    with pytest.raises(RuntimeError):
        # pytest-django wraps tests in a transaction; leave it to prove the guard.
        connection.in_atomic_block, saved = False, connection.in_atomic_block
        try:
            audit_record(actor=None, action=AuditAction.REFERRAL_READ, unit_id=None)
        finally:
            connection.in_atomic_block = saved


@pytest.mark.parametrize("action", ["referral.read", "something.happened", ""])
def test_it_refuses_a_free_text_action(db: Any, action: str) -> None:
    """Audit kinds are a closed set: even a string equal to a member's value must come as the member."""
    with transaction.atomic(), pytest.raises(TypeError, match="must be an AuditAction"):
        audit_record(actor=None, action=action, unit_id=None)  # type: ignore[arg-type]
    assert not AuditEvent.objects.exists()


def test_it_keeps_the_stored_values_of_existing_actions() -> None:
    """The hash chain covers the action string, so members keep the values events were stored with."""
    assert AuditAction.REFERRAL_READ == "referral.read"
    assert AuditAction.read_of("managedoffender") is AuditAction.MANAGEDOFFENDER_READ
    with pytest.raises(ValueError):
        AuditAction.read_of("unit")


def test_it_chains_events_and_verifies_them(referral: Any, client: Any, handler: Any) -> None:
    client.force_login(handler)
    for _ in range(3):
        client.get(f"/referrals/{referral.pk}/")
    report = audit_verify()
    assert report.ok and report.checked == AuditEvent.objects.count() == 5
    out = StringIO()
    call_command("audit-verify", stdout=out)
    assert "5 events verified in 1 shard(s)" in out.getvalue()


def test_it_refuses_editing_or_deleting_events_in_the_orm(referral: Any) -> None:
    event = AuditEvent.objects.first()
    event.action = "nothing.happened"
    with pytest.raises(ImmutableError):
        event.save()
    with pytest.raises(ImmutableError):
        event.delete()
    with pytest.raises(ImmutableError):
        AuditEvent.objects.update(action="x")
    with pytest.raises(ImmutableError):
        AuditEvent.objects.all().delete()


def _tamper(sql: str, params: list[Any]) -> None:
    """What an attacker with DDL rights could do: lift the guards, change a row."""
    permanence.uninstall(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    finally:
        permanence.install(connection)


def test_it_names_the_first_edited_event(referral: Any, client: Any, handler: Any) -> None:
    client.force_login(handler)
    client.get(f"/referrals/{referral.pk}/")
    _tamper("UPDATE audit_auditevent SET actor_username = %s WHERE seq = %s", ["someone.else", 2])
    report = audit_verify()
    assert (report.ok, report.broken_at, report.checked) == (False, 2, 1)
    assert "edited" in report.reason
    with pytest.raises(CommandError, match=r"broken at event #2"):
        call_command("audit-verify", stdout=StringIO())


def test_it_names_a_deleted_event(referral: Any, client: Any, handler: Any) -> None:
    client.force_login(handler)
    client.get(f"/referrals/{referral.pk}/")
    _tamper("DELETE FROM audit_auditevent WHERE seq = %s", [2])
    report = audit_verify()
    assert (report.ok, report.broken_at) == (False, 3)
    assert "missing" in report.reason


def test_it_detects_an_event_rewritten_with_a_fresh_hash(referral: Any) -> None:
    """Recomputing the edited event's own hash with the audit key is not enough: the next event's link breaks.
    (Without the key the edited event itself fails: winnow/audit/tests/test_anchored_trail.py.)"""
    from winnow.audit.chain import audit_key
    from winnow.core.auditchain import event_hash

    event = AuditEvent.objects.get(seq=1)
    chained = event.chained() | {"action": "referral.nothing"}
    _tamper("UPDATE audit_auditevent SET action = %s, hash = %s WHERE seq = 1",
            ["referral.nothing", event_hash(event.prev_hash, chained, audit_key())])
    report = audit_verify()
    assert (report.ok, report.broken_at) == (False, 2)
