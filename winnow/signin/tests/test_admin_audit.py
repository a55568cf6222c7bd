"""Every administrator's change in the admin is audited: roles in units, superuser, passwords, tokens."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from winnow.accounts.models import ApiToken, Membership, User
from winnow.audit.models import AuditEvent


@pytest.fixture
def admin_client(make_person: Any) -> Client:
    admin_user = make_person("adam.admin", "north", "administrator")
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    return client


def _user_form(user: User, memberships: list[Membership], extra: list[dict[str, Any]] | None = None,
               **changes: Any) -> dict[str, Any]:
    """The admin's change form for a user, as the browser would post it."""
    data: dict[str, Any] = {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
        "email": user.email, "is_active": "on", "date_joined_0": "2026-11-01", "date_joined_1": "09:00:00",
        "initial-date_joined_0": "2026-11-01", "initial-date_joined_1": "09:00:00",
        "memberships-TOTAL_FORMS": str(len(memberships) + len(extra or [])),
        "memberships-INITIAL_FORMS": str(len(memberships)), "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, m in enumerate(memberships):
        data.update({f"memberships-{i}-id": m.pk, f"memberships-{i}-user": user.pk, f"memberships-{i}-unit": m.unit_id,
                     f"memberships-{i}-role": m.role, f"memberships-{i}-created_at_0": "2026-11-01",
                     f"memberships-{i}-created_at_1": "09:00:00"})
    for j, new in enumerate(extra or [], start=len(memberships)):
        data.update({f"memberships-{j}-user": user.pk, f"memberships-{j}-created_at_0": "2026-11-02",
                     f"memberships-{j}-created_at_1": "09:00:00",
                     **{f"memberships-{j}-{k}": v for k, v in new.items()}})
    for key, value in changes.items():
        if value is False:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def test_it_audits_a_role_granted_in_another_unit_in_that_unit(admin_client: Client, handler: Any,
                                                              units: dict[str, Any]) -> None:
    memberships = list(handler.memberships.all())
    response = admin_client.post(f"/admin/accounts/user/{handler.pk}/change/", _user_form(
        handler, memberships, extra=[{"unit": units["east"].pk, "role": "supervisor"}]))
    assert response.status_code == 302, response.content.decode()[:2000]
    grant = AuditEvent.objects.get(action="membership.grant")
    assert grant.unit_id == units["east"].pk
    assert grant.detail == {"user": handler.username, "unit": "east", "role": "supervisor"}
    assert grant.actor.username == "adam.admin"


def test_it_audits_making_a_superuser_with_before_and_after(admin_client: Client, handler: Any) -> None:
    memberships = list(handler.memberships.all())
    response = admin_client.post(f"/admin/accounts/user/{handler.pk}/change/",
                                 _user_form(handler, memberships, is_superuser="on", is_staff="on"))
    assert response.status_code == 302
    change = AuditEvent.objects.get(action="admin.change", target_type="user")
    assert change.detail["fields"]["is_superuser"] == [False, True]
    assert change.detail["fields"]["is_staff"] == [False, True]


def test_it_audits_a_role_removed(admin_client: Client, handler: Any, units: dict[str, Any]) -> None:
    memberships = list(handler.memberships.all())
    data = _user_form(handler, memberships, **{"memberships-0-DELETE": "on"})
    assert admin_client.post(f"/admin/accounts/user/{handler.pk}/change/", data).status_code == 302
    revoke = AuditEvent.objects.get(action="membership.revoke")
    assert revoke.unit_id == units["north"].pk and revoke.detail["role"] == "handler"
    assert not handler.memberships.exists()


def test_it_audits_a_password_set_by_an_administrator(admin_client: Client, handler: Any) -> None:
    response = admin_client.post(f"/admin/accounts/user/{handler.pk}/password/", {
        "usable_password": "true", "password1": "tidal-lantern-orchid-47", "password2": "tidal-lantern-orchid-47"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="password.set")
    assert event.target_id == str(handler.pk) and "tidal" not in str(event.detail)


def test_it_audits_moving_and_unrevoking_a_token(admin_client: Client, handler: Any, outsider: Any) -> None:
    from django.utils import timezone

    token, _raw = ApiToken.issue(user=handler, name="integration")
    token.revoked_at = timezone.now()
    token.save()
    expires = timezone.localtime(token.expires_at)
    response = admin_client.post(f"/admin/accounts/apitoken/{token.pk}/change/", {
        "user": outsider.pk, "name": "integration", "scope": "write",
        "expires_at_0": expires.strftime("%Y-%m-%d"), "expires_at_1": expires.strftime("%H:%M:%S"),
        "revoked_at_0": "", "revoked_at_1": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    change = AuditEvent.objects.get(action="admin.change", target_type="apitoken")
    assert change.detail["fields"]["user"] == [str(handler.pk), str(outsider.pk)]
    assert change.detail["fields"]["revoked_at"][1] is None and change.detail["fields"]["revoked_at"][0]
    assert change.detail["fields"]["scope"] == ["read", "write"]
    assert "digest" not in str(change.detail)


def test_it_shows_admin_changes_to_the_units_auditors(admin_client: Client, handler: Any, supervisor: Any,
                                                     outsider_supervisor: Any) -> None:
    memberships = list(handler.memberships.all())
    assert admin_client.post(f"/admin/accounts/user/{handler.pk}/change/",
                             _user_form(handler, memberships, is_superuser="on")).status_code == 302
    assert AuditEvent.objects.filter(action="admin.change").exists()
    auditor = Client()
    auditor.force_login(supervisor)
    page = auditor.get("/audit/").content.decode()
    assert "admin.change" in page and "membership.change" in page
    elsewhere = Client()
    elsewhere.force_login(outsider_supervisor)  # Eastvale's auditor: not Northmoor's administrator's changes
    assert "admin.change" not in elsewhere.get("/audit/").content.decode()
