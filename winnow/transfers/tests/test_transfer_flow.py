"""End to end through the services: requested, accepted (the referral moves, deadlines restart, the sending unit
keeps a read-only view), declined (nothing changes); audited in both units; `winnow verify-referrals` agrees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from winnow.audit.models import AuditEvent
from winnow.permanence import ImmutableError
from winnow.permissions import NotPermitted
from winnow.referrals.models import Identifier, Referral, Subject
from winnow.referrals.services import referral_apply_band
from winnow.transfers.models import Transfer, TransferDecision
from winnow.transfers.services import TransferError, transfer_decide, transfer_request
from winnow.workload.services import referrals_assign

NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


def _queue(user: Any) -> list[str]:
    return list(Referral.objects.visible_to(user).queue().values_list("reference", flat=True))


@time_machine.travel(NOW, tick=False)
def test_it_moves_an_accepted_referral_to_the_receiving_queue(referral: Any, supervisor: Any,
                                                             outsider_supervisor: Any, units: dict[str, Any]) -> None:
    referral_apply_band(actor=supervisor, referral=referral, band="high", decided_at=NOW - timedelta(days=5),
                        why="decided")
    referral.refresh_from_db()
    assert referral.deadline_at == NOW + timedelta(days=2)  # high: 7 days from the decision 5 days ago
    transfer = transfer_request(actor=supervisor, referral=referral, to_unit=units["east"],
                                reason="The suspect lives in Eastvale's area.")
    assert referral.reference in _queue(supervisor) and referral.reference not in _queue(outsider_supervisor)

    decision = transfer_decide(actor=outsider_supervisor, transfer=transfer, accept=True, reason="Ours: we take it.")

    referral.refresh_from_db()
    assert referral.unit == units["east"]
    assert _queue(outsider_supervisor) == [referral.reference] and _queue(supervisor) == []
    assert referral.deadline_at == NOW + timedelta(days=7)  # restarted from the acceptance
    assert (decision.deadline_before, decision.deadline_after) == (NOW + timedelta(days=2), NOW + timedelta(days=7))
    assert set(Subject.objects.filter(referral=referral).values_list("unit", flat=True)) == {units["east"].pk}
    assert set(Identifier.objects.filter(subject__referral=referral).values_list("unit", flat=True)) == {
        units["east"].pk}
    # What the sending unit held, kept on the decision: the read-only view.
    assert decision.held["unit"] == "Northmoor Test Unit" and decision.held["band"] == "High"
    assert decision.held["subjects"][0]["identifiers"][0]["value"] == "testy.mcfictional@example.com"
    # Audited in both units.
    for action in ("transfer.request", "transfer.accept"):
        assert set(AuditEvent.objects.filter(action=action).values_list("unit__code", flat=True)) == {"north", "east"}
    call_command("verify-referrals")  # the move is an audited state change: consistent


def test_it_changes_nothing_when_declined(referral: Any, supervisor: Any, outsider_supervisor: Any,
                                          units: dict[str, Any]) -> None:
    before = Referral.objects.get(pk=referral.pk).state()
    transfer = transfer_request(actor=supervisor, referral=referral, to_unit=units["east"], reason="Theirs?")
    decision = transfer_decide(actor=outsider_supervisor, transfer=transfer, accept=False,
                               reason="Not in our area: the address is in Northmoor.")
    assert not decision.accepted and decision.held == {}
    assert Referral.objects.get(pk=referral.pk).state() == before
    assert _queue(supervisor) == [referral.reference] and _queue(outsider_supervisor) == []
    assert set(AuditEvent.objects.filter(action="transfer.decline").values_list("unit__code", flat=True)) == {
        "north", "east"}
    with pytest.raises(TransferError, match="already been decided"):
        transfer_decide(actor=outsider_supervisor, transfer=transfer, accept=True, reason="Changed our mind.")
    # Declined: it can be asked again.
    transfer_request(actor=supervisor, referral=referral, to_unit=units["east"], reason="New address found.")
    call_command("verify-referrals")


def test_it_refuses_the_wrong_people(referral: Any, supervisor: Any, handler: Any, outsider_supervisor: Any,
                                     outsider: Any, units: dict[str, Any]) -> None:
    with pytest.raises(NotPermitted):
        transfer_request(actor=handler, referral=referral, to_unit=units["east"], reason="A handler may not.")
    with pytest.raises(NotPermitted):
        transfer_request(actor=outsider_supervisor, referral=referral, to_unit=units["east"], reason="Not theirs.")
    transfer = transfer_request(actor=supervisor, referral=referral, to_unit=units["east"], reason="Theirs.")
    with pytest.raises(NotPermitted):  # the sender cannot accept on the receiver's behalf
        transfer_decide(actor=supervisor, transfer=transfer, accept=True, reason="Accepting my own request.")
    with pytest.raises(NotPermitted):  # a handler in the receiving unit cannot decide
        transfer_decide(actor=outsider, transfer=transfer, accept=True, reason="A handler may not.")
    with pytest.raises(TransferError, match="awaiting a decision"):
        transfer_request(actor=supervisor, referral=referral, to_unit=units["east"], reason="Twice.")
    assert not TransferDecision.objects.exists() and Transfer.objects.count() == 1
    with pytest.raises(TransferError, match="already in"):
        transfer_request(actor=supervisor, referral=referral, to_unit=units["north"], reason="To itself.")


def test_it_hands_an_assigned_referral_to_someone_in_the_receiving_unit(
        referral: Any, supervisor: Any, investigator: Any, outsider_supervisor: Any, make_person: Any,
        units: dict[str, Any]) -> None:
    referrals_assign(actor=supervisor, referrals=[referral], assignee=investigator)
    transfer = transfer_request(actor=supervisor, referral=referral, to_unit=units["east"], reason="Theirs.")
    with pytest.raises(TransferError, match="choose who in Eastvale"):
        transfer_decide(actor=outsider_supervisor, transfer=transfer, accept=True, reason="Ours.")
    with pytest.raises(TransferError, match="does not take work in Eastvale"):
        transfer_decide(actor=outsider_supervisor, transfer=transfer, accept=True, reason="Ours.",
                        assignee=investigator)
    assert Referral.objects.get(pk=referral.pk).unit == units["north"]  # nothing written by the refusals
    east_investigator = make_person("erin.east", "east", "investigator")
    decision = transfer_decide(actor=outsider_supervisor, transfer=transfer, accept=True, reason="Ours.",
                               assignee=east_investigator)
    referral.refresh_from_db()
    assert referral.assigned_to == east_investigator and decision.held["assigned_to"] == "ivan.investigator"
    call_command("verify-referrals")


def test_it_keeps_requests_and_decisions_permanent(referral: Any, supervisor: Any, outsider_supervisor: Any,
                                                   units: dict[str, Any]) -> None:
    transfer = transfer_request(actor=supervisor, referral=referral, to_unit=units["east"], reason="Theirs.")
    decision = transfer_decide(actor=outsider_supervisor, transfer=transfer, accept=True, reason="Ours.")
    with pytest.raises(ImmutableError):
        Transfer.objects.filter(pk=transfer.pk).update(to_unit=units["north"])
    with pytest.raises(ImmutableError):
        decision.delete()
    with pytest.raises(ImmutableError):  # a subject's recorded facts stay fixed; only its unit follows
        Subject.objects.filter(referral=referral).update(family_name="Changed")


def test_it_finds_a_unit_moved_by_raw_sql(referral: Any, supervisor: Any, outsider_supervisor: Any,
                                          units: dict[str, Any]) -> None:
    transfer = transfer_request(actor=supervisor, referral=referral, to_unit=units["east"], reason="Theirs.")
    transfer_decide(actor=outsider_supervisor, transfer=transfer, accept=True, reason="Ours.")
    call_command("verify-referrals")
    with connection.cursor() as cursor:  # moving it back without a transfer: the unit column, as the owner could
        cursor.execute("UPDATE referrals_referral SET unit_id = %s WHERE id = %s", [units["north"].pk, referral.pk])
    with pytest.raises(CommandError, match="unit"):
        call_command("verify-referrals")
