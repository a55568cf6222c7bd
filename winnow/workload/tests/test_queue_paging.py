"""The queue pages by keyset: every page follows on from the last row seen, in the queue's order, with nothing
skipped or repeated, forwards and back; a hand-edited cursor shows the first page. And the page shows what a
person scans for: subject, summary line, "overdue by N days", totals, decisions waiting."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from winnow.referrals.models import Referral
from winnow.workload.paging import Cursor, keyset_page


@pytest.fixture
def many(make_referral: Any) -> list[Any]:
    bands = [None, "very_high", "high", "medium", "low"]
    made = []
    for i in range(23):
        made.append(make_referral(days_ago=1 + (i % 7) * 0.3, danger=i % 11 == 0, band=bands[i % 5],
                                  decided_days_ago=(i % 3) * 0.5))
    return made


def _order() -> list[int]:
    return list(Referral.objects.queue().values_list("pk", flat=True))


def test_it_walks_every_page_forwards_and_back_in_queue_order(many: Any) -> None:
    seen, pages, page = [], [], keyset_page(Referral.objects.open(), size=5)
    while True:
        pages.append([r.pk for r in page.rows])
        seen += pages[-1]
        if page.next is None:
            break
        page = keyset_page(Referral.objects.open(), after=page.next, size=5)
    assert seen == _order() and len(pages) == 5
    back = [pages[-1]]
    while page.previous is not None:
        page = keyset_page(Referral.objects.open(), before=page.previous, size=5)
        back.append([r.pk for r in page.rows])
    assert back[::-1] == pages and page.first


def test_it_neither_skips_nor_repeats_a_row_when_one_arrives_while_paging(many: Any, make_referral: Any) -> None:
    first = keyset_page(Referral.objects.open(), size=5)
    make_referral(days_ago=5, danger=True)  # sorts at the very top, before the cursor
    rest = keyset_page(Referral.objects.open(), after=first.next, size=100)
    assert [r.pk for r in first.rows + rest.rows] == [pk for pk in _order() if pk in {r.pk for r in first.rows + rest.rows}]
    assert len({r.pk for r in first.rows + rest.rows}) == 23


@pytest.mark.parametrize("text", [
    "", "garbage", "1~x~y~z", "1~2026-01-01T00:00:00~2026-01-01T00:00:00~3", "~" * 400,
    "1~2026-01-01T00:00:00+00:00~2026-01-01T00:00:00+00:00~" + "9" * 30,
    "-1~2026-01-01T00:00:00+00:00~2026-01-01T00:00:00+00:00~3",
])
def test_it_reads_a_bad_cursor_as_none(text: str) -> None:
    assert Cursor.decode(text) is None


def test_it_round_trips_a_cursor(many: Any) -> None:
    row = Referral.objects.queue().first()
    assert Cursor.decode(Cursor.of(row).encode()) == Cursor.of(row)


def test_the_page_pages_by_cursor_and_a_bad_cursor_shows_the_first_page(
    client: Any, supervisor: Any, many: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from winnow.workload import views

    monkeypatch.setattr(views, "PAGE_SIZE", 10)
    client.force_login(supervisor)
    order = [Referral.objects.get(pk=pk).reference for pk in _order()]
    first = client.get("/queue/")
    assert first.status_code == 200
    body = first.content.decode()
    assert order[0] in body and order[10] not in body
    cursor = first.context["next_cursor"]
    second = client.get("/queue/", {"after": cursor}).content.decode()
    assert order[10] in second and order[0] not in second and "Previous page" in second and "First page" in second
    assert client.get("/queue/", {"after": "not-a-cursor"}).status_code == 200
    assert client.get("/queue/", {"before": "1~2~3~4", "page": "x"}).status_code == 200
    huge = "1~2026-01-01T00:00:00+00:00~2026-01-01T00:00:00+00:00~" + "9" * 30
    assert client.get("/queue/", {"after": huge}).status_code == 200
    assert client.get("/queue/", {"after": "1~2026-01-01T00:00:00%00~x~1"}).status_code == 200


def test_the_page_shows_subject_summary_overdue_days_and_totals(client: Any, supervisor: Any, referral: Any) -> None:
    import math

    import time_machine

    client.force_login(supervisor)
    referral.refresh_from_db()
    before_deadline = referral.deadline_at - timedelta(hours=1)
    with time_machine.travel(before_deadline, tick=False):
        body = client.get("/queue/").content.decode()
    assert "Testy McFictional" in body and referral.summary.splitlines()[0][:40] in body
    assert "<strong>1</strong> open" in body and "<strong>0</strong> overdue" in body and "Overdue by" not in body
    now = referral.deadline_at + timedelta(days=4, hours=2)
    with time_machine.travel(now, tick=False):
        client.force_login(supervisor)  # four days on, the 30-minute idle sign-out has ended the first session
        body = client.get("/queue/").content.decode()
    days = math.ceil((now - referral.deadline_at).total_seconds() / 86400)
    assert days == 5 and "Overdue by 5 days" in body  # a part day counts as a day
    assert "<strong>1</strong> overdue" in body


def test_it_caps_the_totals_and_says_so(client: Any, supervisor: Any, many: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from winnow.workload import views

    monkeypatch.setattr(views, "TOTAL_CAP", 20)  # the page says where it stopped
    client.force_login(supervisor)
    body = client.get("/queue/").content.decode()
    assert "<strong>20+</strong> open" in body and "Totals count up to 20" in body


def test_it_shows_a_supervisor_the_decisions_waiting_oldest_and_most_dangerous_first(
    client: Any, supervisor: Any, handler: Any, investigator: Any, make_referral: Any
) -> None:
    from winnow.referrals.services import referral_apply_band

    now = timezone.now()
    low_old = make_referral(days_ago=5)
    vh_new = make_referral(days_ago=1)
    vh_old = make_referral(days_ago=3)
    decided = make_referral(days_ago=2, band="very_high")
    for r, band, ago in [(low_old, "low", 4), (vh_new, "very_high", 0.5), (vh_old, "very_high", 2)]:
        referral_apply_band(actor=handler, referral=r, band=band, decided_at=now - timedelta(days=ago), why="test",
                            provisional=True, computed_by=handler)
    client.force_login(supervisor)
    response = client.get("/queue/")
    waiting = response.context["decisions"]
    assert [r.pk for r in waiting["rows"]] == [vh_old.pk, vh_new.pk, low_old.pk] and waiting["count"] == 3
    body = response.content.decode()
    assert "Decisions waiting: 3" in body and "Awaiting decision" in body and "computed by hannah.handler" in body
    assert decided.pk not in [r.pk for r in waiting["rows"]]
    client.force_login(investigator)  # no band decisions to make: no panel
    assert client.get("/queue/").context["decisions"] is None


def test_it_shows_another_unit_no_decisions_waiting(
    client: Any, outsider_supervisor: Any, handler: Any, make_referral: Any
) -> None:
    from winnow.referrals.services import referral_apply_band

    r = make_referral()
    referral_apply_band(actor=handler, referral=r, band="high", decided_at=timezone.now(), why="t", provisional=True,
                        computed_by=handler)
    client.force_login(outsider_supervisor)
    response = client.get("/queue/")
    assert response.context["decisions"]["count"] == 0 and r.reference not in response.content.decode()


def test_the_dashboard_shows_the_decisions_waiting(client: Any, supervisor: Any, handler: Any, make_referral: Any) -> None:
    from winnow.referrals.services import referral_apply_band

    r = make_referral()
    referral_apply_band(actor=handler, referral=r, band="very_high", decided_at=timezone.now(), why="t",
                        provisional=True, computed_by=handler)
    client.force_login(supervisor)
    body = client.get("/queue/dashboard/").content.decode()
    assert "Decisions waiting: 1" in body and r.reference in body
