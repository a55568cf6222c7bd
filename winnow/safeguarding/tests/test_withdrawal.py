"""A concern that needs no safeguarding referral (the danger flag corrected to No, say) is withdrawn by a
supervisor with a reason: it leaves the due and overdue lists, and stays on record with the reason beside it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from winnow.audit.models import AuditEvent
from winnow.safeguarding.models import Concern, ConcernWithdrawal
from winnow.safeguarding.services import (
    SafeguardingInputError,
    concern_withdraw,
    safeguarding_referral_record,
)

MORNING = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
NEXT_MORNING = datetime(2026, 12, 3, 0, 1, tzinfo=UTC)


def test_a_supervisor_withdraws_an_overdue_concern_through_the_page(client: Any, make_referral: Any,
                                                                     supervisor: Any) -> None:
    with time_machine.travel(MORNING, tick=False):
        referral = make_referral(danger=True)
    concern = Concern.objects.get(referral=referral)
    with time_machine.travel(NEXT_MORNING, tick=False):
        client.force_login(supervisor)
        assert list(Concern.objects.overdue(NEXT_MORNING)) == [concern]
        detail = client.get(f"/safeguarding/referrals/{referral.pk}/").content.decode()
        assert f"/safeguarding/concerns/{concern.pk}/withdraw/" in detail
        url = f"/safeguarding/concerns/{concern.pk}/withdraw/"
        refused = client.post(url, {"reason": "   "})
        assert refused.status_code == 400 and "Error:" in refused.content.decode()
        assert not ConcernWithdrawal.objects.exists()
        done = client.post(url, {"reason": "Danger flag corrected to No: the child does not live there."})
        assert done.status_code == 302
        assert not Concern.objects.overdue(NEXT_MORNING).exists() and not Concern.objects.uncovered().exists()
        assert Concern.objects.filter(pk=concern.pk).exists()  # kept
        detail = client.get(f"/safeguarding/referrals/{referral.pk}/").content.decode()
        assert "Withdrawn" in detail and "the child does not live there" in detail and url not in detail
        assert "Safeguarding referrals overdue: 0" in client.get("/queue/dashboard/").content.decode()
        event = AuditEvent.objects.get(action="safeguarding.withdraw")
        assert event.actor_username == supervisor.username and event.detail["overdue"] is True
        again = client.post(url, {"reason": "twice"})
        assert again.status_code == 400 and "withdrawn already" in again.content.decode()


def test_only_a_supervisor_of_the_unit_withdraws(client: Any, make_referral: Any, handler: Any, investigator: Any,
                                                 outsider_supervisor: Any) -> None:
    referral = make_referral(danger=True)
    concern = Concern.objects.get(referral=referral)
    url = f"/safeguarding/concerns/{concern.pk}/withdraw/"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    for user in (handler, investigator):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "not needed"}).status_code == 403
        assert url not in client.get(f"/safeguarding/referrals/{referral.pk}/").content.decode()
    client.force_login(outsider_supervisor)
    assert client.get(url).status_code == 404 and client.post(url, {"reason": "x"}).status_code == 404
    assert not ConcernWithdrawal.objects.exists()


def test_a_concern_already_answered_cannot_be_withdrawn(make_referral: Any, investigator: Any, supervisor: Any,
                                                        facts: Any) -> None:
    referral = make_referral(danger=True)
    concern = Concern.objects.get(referral=referral)
    safeguarding_referral_record(actor=investigator, referral=referral, concerns=[concern], **facts())
    with pytest.raises(SafeguardingInputError, match="already answers it"):
        concern_withdraw(actor=supervisor, concern=concern, reason="not needed")
    with pytest.raises(SafeguardingInputError, match="reason"):
        concern_withdraw(actor=supervisor, concern=concern, reason="")
