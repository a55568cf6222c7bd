"""After intake, the follow-up task proposes "same person?" for a referral about someone the unit knows under
another spelling, and tells the manager of that managed offender; run twice, it adds nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from winnow.audit.services import audit_verify
from winnow.intake.tasks import referral_follow_up
from winnow.linkage.models import IdentifierLink, LinkProposal
from winnow.notifications.models import Notification
from winnow.offenders.models import IntelligenceLink
from winnow.worker.tests.support import run_ready_tasks

from .support import import_report, known_offender


@pytest.fixture
def manager(make_person: Any) -> Any:
    return make_person("olly.manager", "north", "offender_manager")


def test_intake_enqueues_the_follow_up_in_the_intake_transaction(handler: Any, manager: Any, units: Any) -> None:
    known_offender(handler=handler, manager=manager, unit=units["north"])
    referral = import_report(handler=handler, unit=units["north"])
    queued = [r for r in DBTaskResult.objects.all() if r.task_path == "winnow.intake.tasks.referral_follow_up"]
    assert [r.args_kwargs["kwargs"] for r in queued][-1] == {"referral_id": referral.pk}
    assert not LinkProposal.objects.exists()  # nothing runs inside the request


def test_it_proposes_and_alerts_the_offender_manager(handler: Any, manager: Any, units: Any) -> None:
    earlier = known_offender(handler=handler, manager=manager, unit=units["north"])
    referral = import_report(handler=handler, unit=units["north"])
    assert not IdentifierLink.objects.exists()  # no identifier in common
    run_ready_tasks()
    assert not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()
    proposal = LinkProposal.objects.get()
    new = referral.subjects.get(role="reported")
    assert {proposal.left_subject_id, proposal.right_subject_id} == {earlier.pk, new.pk}
    note = Notification.objects.get(recipient=manager)
    assert f"New referral {referral.reference} links to managed offender" in note.message
    assert "possibly the same person" in note.message and f"proposal {proposal.pk}" in note.message
    assert IntelligenceLink.objects.get().referral == referral
    assert audit_verify().ok


def test_it_is_idempotent(handler: Any, manager: Any, units: Any) -> None:
    known_offender(handler=handler, manager=manager, unit=units["north"])
    referral = import_report(handler=handler, unit=units["north"])
    run_ready_tasks()
    referral_follow_up.enqueue(referral_id=referral.pk)
    run_ready_tasks()
    assert LinkProposal.objects.count() == 1
    assert Notification.objects.filter(recipient=manager).count() == 1
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() >= 3


def test_a_rejected_pair_is_not_proposed_again(handler: Any, manager: Any, units: Any) -> None:
    from winnow.linkage.services import proposal_decide

    known_offender(handler=handler, manager=manager, unit=units["north"])
    referral = import_report(handler=handler, unit=units["north"])
    run_ready_tasks()
    proposal_decide(proposal=LinkProposal.objects.get(), accept=False, actor=handler, reason="Twin brothers.")
    referral_follow_up.enqueue(referral_id=referral.pk)
    run_ready_tasks()
    assert LinkProposal.objects.count() == 1


def test_a_person_added_later_is_linked_and_alerts_the_manager(handler: Any, manager: Any, units: Any) -> None:
    from django.utils import timezone

    from winnow.core.intake.mapping import subject_from_mapping
    from winnow.intake.services import subject_add
    from winnow.linkage.tests.support import record

    earlier = known_offender(handler=handler, manager=manager, unit=units["north"])
    referral = record(handler, units["north"], subjects=[], reference="IP-ONLY-1")
    run_ready_tasks()
    assert not LinkProposal.objects.exists()
    # A subscriber check names the account holder: the same man, spelled as the sample report spells him.
    added = subject_add(actor=handler, referral=referral, reason="Subscriber check on 192.0.2.10 (fictional).",
                        draft=subject_from_mapping({
                            "role": "reported", "given_names": "Gareth", "family_name": "Pennington-Vale",
                            "date_of_birth": "1979-04-22", "addresses": ["14 Larkspur Close, Maidstone, ME99 1ZZ"],
                        }, now=timezone.now()))
    run_ready_tasks()
    proposal = LinkProposal.objects.get()
    assert {proposal.left_subject_id, proposal.right_subject_id} == {earlier.pk, added.pk}
    assert f"A person added to referral {referral.reference} links to managed offender" in Notification.objects.get(
        recipient=manager).message
