"""Every offender page: the right unit and role allowed, another unit 404, anonymous to login, wrong role 403.
Offender managers and supervisors manage; they and investigators read; handlers and analysts get nothing."""

from __future__ import annotations

from typing import Any

import pytest

from winnow.audit.models import AuditEvent
from winnow.offenders.models import Contact, ManagedOffender

from .conftest import register_form

DETAIL_PAGES = ["", "contacts/new/", "plan/", "reviews/new/", "reactive/", "registration/"]


@pytest.mark.parametrize("url", ["/offenders/", "/offenders/new/", *(f"/offenders/1/{p}" for p in DETAIL_PAGES)])
def test_it_sends_anonymous_to_login(client: Any, db: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("who", ["offender_manager", "supervisor"])
@pytest.mark.parametrize("page", DETAIL_PAGES)
def test_it_lets_managers_and_supervisors_open_every_page(client: Any, managed: Any, request: Any, who: str,
                                                          page: str) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/offenders/{managed.pk}/{page}").status_code == 200
    assert client.get("/offenders/").status_code == 200
    assert client.get("/offenders/new/").status_code == 200


def test_it_lets_an_investigator_read_but_not_manage(client: Any, managed: Any, investigator: Any) -> None:
    client.force_login(investigator)
    assert client.get("/offenders/").status_code == 200
    body = client.get(f"/offenders/{managed.pk}/").content.decode()
    assert "Testy McFictional" in body and "Log a contact" not in body
    for page in DETAIL_PAGES[1:]:
        assert client.get(f"/offenders/{managed.pk}/{page}").status_code == 403
    assert client.post(f"/offenders/{managed.pk}/contacts/new/", {"mode": "phone"}).status_code == 403
    assert client.get("/offenders/new/").status_code == 403


@pytest.mark.parametrize("who", ["handler", "analyst"])
def test_it_refuses_roles_that_do_not_read_offenders(client: Any, managed: Any, request: Any, who: str) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get("/offenders/").status_code == 403
    assert client.get("/offenders/new/").status_code == 403
    for page in DETAIL_PAGES:
        assert client.get(f"/offenders/{managed.pk}/{page}").status_code == 403


@pytest.mark.parametrize("who", ["outsider_manager", "outsider_supervisor"])
def test_it_gives_another_unit_404(client: Any, managed: Any, request: Any, who: str) -> None:
    client.force_login(request.getfixturevalue(who))
    for page in DETAIL_PAGES:
        assert client.get(f"/offenders/{managed.pk}/{page}").status_code == 404
    response = client.post(f"/offenders/{managed.pk}/contacts/new/",
                           {"occurred_at": "2026-01-01T10:00", "mode": "phone", "outcome": "seen",
                            "device_check": "not_done"})
    assert response.status_code == 404 and not Contact.objects.exists()
    assert "Testy McFictional" not in client.get("/offenders/").content.decode()


def test_it_refuses_an_outsider_registering_another_units_subject(client: Any, referral: Any,
                                                                  outsider_manager: Any) -> None:
    client.force_login(outsider_manager)
    response = client.post("/offenders/new/", register_form(referral, outsider_manager))
    assert "No referral with this reference" in response.content.decode()
    assert not ManagedOffender.objects.exists()


def test_it_audits_every_read(client: Any, managed: Any, offender_manager: Any) -> None:
    client.force_login(offender_manager)
    client.get(f"/offenders/{managed.pk}/")
    client.get("/offenders/")
    actions = list(AuditEvent.objects.filter(actor=offender_manager).values_list("action", flat=True))
    assert "managedoffender.read" in actions and "offender.list" in actions
