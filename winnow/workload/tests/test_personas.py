"""Every workload view: right unit allowed, other unit 404 or nothing shown, anonymous to login, wrong role 403."""

from __future__ import annotations

from typing import Any

import pytest

from winnow.workload.models import Assignment, CaseAction

PAGES = ["/queue/", "/queue/mine/", "/queue/dashboard/", "/queue/dashboard/open.csv", "/queue/forecast/"]


@pytest.mark.parametrize("url", [*PAGES, "/queue/referrals/1/actions/"])
def test_it_sends_anonymous_to_login(client: Any, db: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_it_sends_anonymous_assign_to_login(client: Any, db: Any) -> None:
    assert client.post("/queue/assign/", {"referrals": [1], "assignee": 1}).status_code == 302


@pytest.mark.parametrize("url", PAGES)
def test_it_shows_a_supervisor_the_workload_pages(client: Any, supervisor: Any, make_referral: Any, url: str) -> None:
    make_referral(band="high")
    client.force_login(supervisor)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/queue/dashboard/", "/queue/dashboard/open.csv", "/queue/forecast/"])
def test_it_keeps_the_dashboard_from_handlers(client: Any, handler: Any, url: str) -> None:
    client.force_login(handler)
    assert client.get(url).status_code == 403


def test_it_shows_another_unit_nothing_in_the_queue(client: Any, outsider_supervisor: Any, make_referral: Any) -> None:
    referral = make_referral(band="very_high")
    client.force_login(outsider_supervisor)
    assert referral.reference not in client.get("/queue/").content.decode()
    body = client.get("/queue/dashboard/open.csv").content.decode()
    assert "Very High,0,0" in body


def test_it_gives_another_unit_404_on_case_actions(client: Any, outsider_supervisor: Any, make_referral: Any) -> None:
    referral = make_referral()
    client.force_login(outsider_supervisor)
    assert client.get(f"/queue/referrals/{referral.pk}/actions/").status_code == 404
    assert client.post(f"/queue/referrals/{referral.pk}/actions/", {"kind": "arrest"}).status_code == 404


def test_it_lets_an_investigator_record_an_action(client: Any, investigator: Any, make_referral: Any) -> None:
    referral = make_referral(days_ago=3)
    client.force_login(investigator)
    response = client.post(f"/queue/referrals/{referral.pk}/actions/",
                           {"kind": "warrant_executed", "occurred_at": "2020-01-01T10:00", "note": ""})
    assert "before the referral was received" in response.content.decode()
    assert not CaseAction.objects.exists()
    from django.utils import timezone

    when = timezone.localtime(timezone.now()).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/queue/referrals/{referral.pk}/actions/",
                       {"kind": "warrant_executed", "occurred_at": when}).status_code == 302
    referral.refresh_from_db()
    assert referral.actioned_at is not None


def test_it_refuses_actions_from_a_handler(client: Any, handler: Any, make_referral: Any) -> None:
    referral = make_referral()
    client.force_login(handler)
    assert client.post(f"/queue/referrals/{referral.pk}/actions/", {"kind": "arrest"}).status_code == 403


def test_it_lets_a_supervisor_bulk_assign(client: Any, supervisor: Any, investigator: Any, make_referral: Any) -> None:
    first, second = make_referral(), make_referral()
    client.force_login(supervisor)
    client.post("/queue/assign/", {"referrals": [first.pk, second.pk], "assignee": investigator.pk})
    assert Assignment.objects.count() == 2
    client.force_login(investigator)
    body = client.get("/queue/mine/").content.decode()
    assert first.reference in body and second.reference in body


def test_it_refuses_assignment_by_an_investigator(client: Any, investigator: Any, make_referral: Any) -> None:
    referral = make_referral()
    client.force_login(investigator)
    assert client.post("/queue/assign/", {"referrals": [referral.pk], "assignee": investigator.pk}).status_code == 403


def test_it_refuses_assigning_another_units_referral(client: Any, outsider_supervisor: Any, make_referral: Any) -> None:
    from winnow.accounts.models import Membership

    referral = make_referral()
    Membership.objects.create(user=outsider_supervisor, unit=outsider_supervisor.memberships.get().unit, role="investigator")
    client.force_login(outsider_supervisor)
    client.post("/queue/assign/", {"referrals": [referral.pk], "assignee": outsider_supervisor.pk})
    assert not Assignment.objects.exists()


def test_it_refuses_assigning_to_someone_outside_the_unit(client: Any, supervisor: Any, outsider: Any, make_referral: Any) -> None:
    referral = make_referral()
    client.force_login(supervisor)
    client.post("/queue/assign/", {"referrals": [referral.pk], "assignee": outsider.pk})
    assert not Assignment.objects.exists()
