"""Every referral page: right unit allowed, another unit 404, anonymous sent to log in."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

PAGES_ON_A_REFERRAL = ["referrals:detail", "referrals:package", "referrals:close"]


def _url(name: str, referral: Any) -> str:
    if name == "referrals:subject":
        return reverse(name, args=[referral.subjects.get().pk])
    return reverse(name, args=[referral.pk])


@pytest.mark.parametrize("name", [*PAGES_ON_A_REFERRAL, "referrals:subject"])
def test_it_shows_a_referral_page_to_its_unit(client: Any, supervisor: Any, referral: Any, name: str) -> None:
    client.force_login(supervisor)
    assert client.get(_url(name, referral)).status_code == 200


@pytest.mark.parametrize("name", [*PAGES_ON_A_REFERRAL, "referrals:subject"])
def test_it_gives_another_unit_404(client: Any, outsider_supervisor: Any, referral: Any, name: str) -> None:
    client.force_login(outsider_supervisor)
    assert client.get(_url(name, referral)).status_code == 404


@pytest.mark.parametrize("name", [*PAGES_ON_A_REFERRAL, "referrals:subject"])
def test_it_sends_anonymous_to_login(client: Any, referral: Any, name: str) -> None:
    response = client.get(_url(name, referral))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "name", ["referrals:list", "intake:new", "intake:import", "intake:import-template", "audit:events"]
)
def test_it_sends_anonymous_to_login_from_unit_pages(client: Any, db: Any, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_lists_only_the_users_units(client: Any, outsider: Any, handler: Any, referral: Any) -> None:
    client.force_login(outsider)
    assert referral.reference not in client.get(reverse("referrals:list")).content.decode()
    client.force_login(handler)
    assert referral.reference in client.get(reverse("referrals:list")).content.decode()


@pytest.mark.parametrize("name", ["intake:new", "intake:import"])
def test_it_refuses_recording_to_roles_that_do_not_record(client: Any, analyst: Any, name: str) -> None:
    client.force_login(analyst)
    assert client.get(reverse(name)).status_code == 403


def test_it_refuses_closing_to_a_handler(client: Any, handler: Any, referral: Any) -> None:
    client.force_login(handler)
    assert client.get(reverse("referrals:close", args=[referral.pk])).status_code == 403


def test_it_keeps_the_admin_for_administrators(client: Any, supervisor: Any, units: Any) -> None:
    from winnow.accounts.models import Membership, User

    client.force_login(supervisor)
    assert client.get("/admin/").status_code == 302  # sent to the admin login: not allowed in
    admin = User.objects.create_user(username="adam.admin", password="x" * 20, is_superuser=True, is_staff=True)
    Membership.objects.create(user=admin, unit=units["north"], role="administrator")
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200


def test_it_gives_a_member_the_import_template(client: Any, handler: Any) -> None:
    client.force_login(handler)
    response = client.get(reverse("intake:import-template"))
    assert response.status_code == 200
    assert response.content.decode().startswith("source,source_reference,received_at")
