"""`winnow verify-referrals`: a referral's state columns edited in place with raw SQL are found (the permanence
triggers let those columns change, so only the history can tell a legitimate change from a forged one)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from winnow.referrals.models import Disposition, Status
from winnow.referrals.services import referral_transition
from winnow.workload.integrity import referrals_verify
from winnow.workload.services import case_action_record, referrals_assign


def _sql(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:  # no guard lifted: these columns may change, so the triggers allow it
        cursor.execute(sql, params)


def _fails(match: str) -> None:
    report = referrals_verify()
    assert any(match in p for p in report.problems), report.problems
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify-referrals", stdout=StringIO(), stderr=err)
    assert match in err.getvalue()


@pytest.fixture
def worked(referral: Any, supervisor: Any, investigator: Any) -> Any:
    referral_transition(actor=supervisor, referral=referral, to_status=Status.ASSESSMENT)
    referrals_assign(actor=supervisor, referrals=[referral], assignee=investigator)
    case_action_record(actor=investigator, referral=referral, kind="arrest",
                       occurred_at=timezone.now() - timedelta(hours=1))
    referral.refresh_from_db()
    return referral


def test_it_passes_referrals_changed_only_through_the_services(worked: Any) -> None:
    report = referrals_verify()
    assert report.ok, report.problems
    assert (report.checked, report.without_snapshot) == (1, 0)
    out = StringIO()
    call_command("verify-referrals", stdout=out)
    assert "referral state consistent: 1 referrals checked" in out.getvalue()


def test_it_finds_a_closed_referral_reopened(worked: Any, supervisor: Any) -> None:
    referral_transition(actor=supervisor, referral=worked, to_status=Status.CLOSED,
                        disposition=Disposition.NO_FURTHER_ACTION, reason="Fictional: nothing found.")
    assert referrals_verify().ok
    _sql("UPDATE referrals_referral SET status = %s, disposition = '', closure_reason = '', closed_at = NULL "
         "WHERE id = %s", [Status.IN_ACTION, worked.pk])
    _fails(f"{worked.reference} (id {worked.pk}): status is 'in_action' but its status history ends at 'closed'")


def test_it_finds_a_deadline_moved(worked: Any) -> None:
    _sql("UPDATE referrals_referral SET deadline_at = %s WHERE id = %s",
         [worked.deadline_at + timedelta(days=900), worked.pk])
    _fails("deadline_at is")
    assert "but its last audited change set" in referrals_verify().problems[0]


def test_it_finds_an_assignment_outside_the_unit(worked: Any, outsider: Any) -> None:
    _sql("UPDATE referrals_referral SET assigned_to_id = %s WHERE id = %s", [outsider.pk, worked.pk])
    _fails(f"assigned to user {outsider.pk} but its last assignment is to")


def test_it_finds_an_action_time_rewritten(worked: Any) -> None:
    _sql("UPDATE referrals_referral SET actioned_at = NULL WHERE id = %s", [worked.pk])
    _fails("actioned_at is None but its first enforcement action is at")
