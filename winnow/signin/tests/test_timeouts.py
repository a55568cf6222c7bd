"""Signed out after 30 minutes without a request, and SESSION_COOKIE_AGE after signing in however busy."""

from __future__ import annotations

import time
from typing import Any

import time_machine
from django.test import Client, override_settings

from winnow.audit.models import AuditEvent

PASSWORD = "correct-horse-battery-staple"


def signed_in(handler: Any) -> Client:
    client = Client()
    assert client.post("/login/", {"username": handler.username, "password": PASSWORD}).status_code == 302
    return client


def test_it_signs_out_after_thirty_idle_minutes(handler: Any) -> None:
    start = time.time()
    with time_machine.travel(start, tick=False) as clock:
        client = signed_in(handler)
        clock.shift(29 * 60)
        assert client.get("/referrals/").status_code == 200  # 29 minutes idle: still signed in
        clock.shift(29 * 60)
        assert client.get("/referrals/").status_code == 200  # the last request reset the clock
        clock.shift(31 * 60)
        response = client.get("/referrals/?status=new")
        assert response.status_code == 302
        assert response["Location"] == "/login/?timeout=idle&next=%2Freferrals%2F%3Fstatus%3Dnew"
        assert client.get("/referrals/")["Location"].startswith("/login/")  # the session is gone
    event = AuditEvent.objects.get(action="signin.idle_timeout")
    assert event.actor == handler and event.detail["reason"] == "idle" and event.detail["idle_seconds"] >= 31 * 60
    page = Client().get("/login/?timeout=idle")
    assert "You were signed out because you had not used Winnow for a while" in page.content.decode()


@override_settings(WINNOW_IDLE_TIMEOUT_MINUTES=5)
def test_it_takes_the_idle_limit_from_settings(handler: Any) -> None:
    with time_machine.travel(time.time(), tick=False) as clock:
        client = signed_in(handler)
        clock.shift(6 * 60)
        assert client.get("/referrals/").status_code == 302


@override_settings(SESSION_COOKIE_AGE=3600)
def test_it_signs_out_at_the_absolute_limit_however_busy(handler: Any) -> None:
    with time_machine.travel(time.time(), tick=False) as clock:
        client = signed_in(handler)
        for _ in range(5):
            clock.shift(10 * 60)
            assert client.get("/referrals/").status_code == 200
        clock.shift(11 * 60)
        response = client.get("/referrals/")
        assert response.status_code == 302 and "timeout=absolute" in response["Location"]
    assert AuditEvent.objects.get(action="signin.idle_timeout").detail["reason"] == "absolute"


def test_it_audits_sign_in_and_sign_out(handler: Any) -> None:
    client = signed_in(handler)
    assert client.post("/logout/").status_code == 302
    actions = list(AuditEvent.objects.filter(actor=handler).order_by("seq").values_list("action", flat=True))
    assert actions[0] == "signin.login" and actions[-1] == "signin.logout"
    login = AuditEvent.objects.get(action="signin.login")
    assert login.detail["via"] == "password" and login.target_id == str(handler.pk)
