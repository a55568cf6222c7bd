"""Done when: an immediate-danger referral without a safeguarding referral by the deadline shows as overdue, in the
supervisor's queue, dashboard and landing page (frozen clock)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import time_machine

from winnow.safeguarding.models import Concern
from winnow.safeguarding.services import safeguarding_referral_record

MORNING = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)  # 09:30 in London (GMT)
LATE_EVENING = datetime(2026, 12, 2, 23, 59, tzinfo=UTC)
NEXT_MORNING = datetime(2026, 12, 3, 0, 1, tzinfo=UTC)


def _overdue_section(page: str) -> str:
    """The overdue panel's text, up to the next heading or the end of its box."""
    start = page.index("Safeguarding referrals overdue")
    return re.split(r"<h[23]|</div>|</section>", page[start:], maxsplit=1)[0]


def _pages(client: Any, user: Any) -> dict[str, str]:
    client.force_login(user)  # inside the frozen clock: the idle sign-out counts from the sign-in
    return {url: client.get(url).content.decode() for url in ("/queue/", "/queue/dashboard/", "/today/")}


def test_an_immediate_danger_referral_without_a_safeguarding_referral_is_overdue_after_the_same_day(
        client: Any, make_referral: Any, supervisor: Any) -> None:
    with time_machine.travel(MORNING, tick=False):
        referral = make_referral(danger=True)
    concern = Concern.objects.get(referral=referral)
    assert concern.trigger == "immediate_danger" and concern.due_at == datetime(2026, 12, 3, tzinfo=UTC)

    with time_machine.travel(LATE_EVENING, tick=False):
        assert not Concern.objects.overdue(LATE_EVENING).exists()
        for url, page in _pages(client, supervisor).items():
            assert _overdue_section(page).startswith(("Safeguarding referrals overdue: 0",
                                                      "Safeguarding referrals overdue (0)")), url

    with time_machine.travel(NEXT_MORNING, tick=False):
        assert list(Concern.objects.overdue(NEXT_MORNING)) == [concern]
        for url, page in _pages(client, supervisor).items():
            section = _overdue_section(page)
            assert section.startswith(("Safeguarding referrals overdue: 1", "Safeguarding referrals overdue (1)")), url
            assert referral.reference in section, url
        client.force_login(supervisor)
        detail = client.get(f"/safeguarding/referrals/{referral.pk}/").content.decode()
        assert "Overdue" in detail and "due by the end of 02 Dec 2026" in detail


def test_a_safeguarding_referral_made_takes_it_off_the_overdue_list_late_or_not(
        make_referral: Any, investigator: Any, facts: Any) -> None:
    with time_machine.travel(MORNING, tick=False):
        referral = make_referral(danger=True)
    concern = Concern.objects.get(referral=referral)
    with time_machine.travel(NEXT_MORNING, tick=False):
        safeguarding_referral_record(actor=investigator, referral=referral, concerns=[concern], **facts())
        assert not Concern.objects.overdue(NEXT_MORNING).exists()
        standing = Concern.objects.get(pk=concern.pk).standing(NEXT_MORNING)
        assert standing.state == "made_late" and "after the deadline" in standing.text


def test_it_shows_another_unit_nothing_of_the_overdue(client: Any, make_referral: Any,
                                                      outsider_supervisor: Any) -> None:
    with time_machine.travel(MORNING, tick=False):
        referral = make_referral(danger=True)
    with time_machine.travel(NEXT_MORNING, tick=False):
        for url, page in _pages(client, outsider_supervisor).items():
            assert referral.reference not in page, url
