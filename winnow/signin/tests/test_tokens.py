"""API tokens expire and carry a scope: read-only unless issued for writing."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from winnow.accounts.models import ApiToken
from winnow.audit.models import AuditEvent

REFERRAL = {"unit": "north", "source": "ncmec", "received_at": "2026-11-02T10:15:00+00:00",
            "summary": "Fictional referral recorded through the API.", "immediate_danger": False}


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_it_refuses_an_expired_token(handler: Any) -> None:
    token, raw = ApiToken.issue(user=handler, name="old", days=1)
    assert Client().get("/api/v1/referrals", **bearer(raw)).status_code == 200
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    response = Client().get("/api/v1/referrals", **bearer(raw))
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthenticated"


def test_it_expires_tokens_after_the_configured_days(handler: Any, settings: Any) -> None:
    settings.WINNOW_API_TOKEN_DAYS = 30
    token, _raw = ApiToken.issue(user=handler, name="default")
    assert timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= timedelta(days=30)


def test_it_lets_a_read_token_read_but_not_write(handler: Any) -> None:
    _token, raw = ApiToken.issue(user=handler, name="reader")
    assert Client().get("/api/v1/referrals", **bearer(raw)).status_code == 200
    response = Client().post("/api/v1/referrals", REFERRAL, content_type="application/json", **bearer(raw))
    assert response.status_code == 403 and "read-only" in response.json()["error"]["message"]
    assert not AuditEvent.objects.filter(action="referral.create").exists()


def test_it_lets_a_write_token_record_a_referral(handler: Any) -> None:
    _token, raw = ApiToken.issue(user=handler, name="writer", scope="write")
    response = Client().post("/api/v1/referrals", REFERRAL, content_type="application/json", **bearer(raw))
    assert response.status_code == 201, response.content


def test_the_write_scope_does_not_widen_the_role(outsider: Any) -> None:
    _token, raw = ApiToken.issue(user=outsider, name="writer", scope="write")
    response = Client().post("/api/v1/referrals", REFERRAL, content_type="application/json", **bearer(raw))
    assert response.status_code == 400  # north is not a unit the outsider belongs to
    assert not AuditEvent.objects.filter(action="referral.create").exists()


def test_the_command_issues_scoped_expiring_tokens_and_audits_them(handler: Any) -> None:
    out = io.StringIO()
    call_command("create-token", handler.username, "--scope", "write", "--days", "7", stdout=out)
    raw = out.getvalue().strip()
    token = ApiToken.objects.authenticate(raw)
    assert token is not None and token.scope == "write"
    assert timedelta(days=6) < token.expires_at - timezone.now() <= timedelta(days=7)
    event = AuditEvent.objects.get(action="apitoken.create")
    assert event.detail["scope"] == "write" and event.detail["expires_at"]
    with pytest.raises(CommandError, match="--days"):
        call_command("create-token", handler.username, "--days", "0")
    out = io.StringIO()
    call_command("create-token", handler.username, stdout=out)
    assert ApiToken.objects.authenticate(out.getvalue().strip()).scope == "read"  # type: ignore[union-attr]
