"""Throttling and lockout: after five wrong passwords a username is locked, even with the right password, until an
administrator unlocks it; every failure, the lockout and the unlock are audited."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client

from winnow.audit.models import AuditEvent

PASSWORD = "correct-horse-battery-staple"


def fail(client: Client, username: str, times: int) -> list[int]:
    return [client.post("/login/", {"username": username, "password": f"wrong-{i}"}).status_code
            for i in range(times)]


def test_it_locks_a_username_after_five_failures_even_with_the_right_password(handler: Any) -> None:
    client = Client()
    codes = fail(client, handler.username, 5)
    assert codes[:4] == [200, 200, 200, 200]  # the form again, with its error
    assert codes[4] == 403  # the fifth locks
    right = client.post("/login/", {"username": handler.username, "password": PASSWORD})
    assert right.status_code == 403 and "Sign-in locked" in right.content.decode()
    assert "_auth_user_id" not in client.session
    # ... from another address too: the lock is on the username.
    other = Client(REMOTE_ADDR="192.0.2.77")
    assert other.post("/login/", {"username": handler.username, "password": PASSWORD}).status_code == 403
    failures = AuditEvent.objects.filter(action="signin.failed", target_id=str(handler.pk))
    assert failures.count() >= 5 and failures.first().detail["username"] == handler.username
    assert AuditEvent.objects.filter(action="signin.lockout", target_id=str(handler.pk)).exists()


def test_it_does_not_lock_other_people(handler: Any, investigator: Any) -> None:
    fail(Client(), handler.username, 5)
    response = Client().post("/login/", {"username": investigator.username, "password": PASSWORD})
    assert response.status_code == 302


def test_it_counts_failures_for_unknown_usernames_without_saying_so(db: Any) -> None:
    response = Client().post("/login/", {"username": "nobody.here", "password": "wrong-password"})
    assert response.status_code == 200 and "enter a correct username and password" in response.content.decode()
    event = AuditEvent.objects.get(action="signin.failed")
    assert event.detail["username"] == "nobody.here" and event.target_id == ""


def test_it_is_unlocked_by_the_command(handler: Any) -> None:
    fail(Client(), handler.username, 5)
    call_command("unlock", handler.username)
    assert Client().post("/login/", {"username": handler.username, "password": PASSWORD}).status_code == 302
    assert AuditEvent.objects.filter(action="signin.unlock", target_id=str(handler.pk)).exists()


def test_it_is_unlocked_by_an_administrator_in_the_admin(handler: Any, make_person: Any) -> None:
    admin_user = make_person("adam.admin", "north", "administrator")
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    fail(Client(), handler.username, 5)
    admin_client = Client()
    admin_client.force_login(admin_user)
    attempts = list(AccessAttempt.objects.filter(username=handler.username).values_list("pk", flat=True))
    assert attempts
    listing = admin_client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and handler.username in listing.content.decode()
    response = admin_client.post("/admin/axes/accessattempt/", {"action": "unlock", "_selected_action": attempts})
    assert response.status_code == 302
    assert Client().post("/login/", {"username": handler.username, "password": PASSWORD}).status_code == 302
    unlock = AuditEvent.objects.get(action="signin.unlock")
    assert unlock.actor == admin_user and unlock.detail["username"] == handler.username


def test_it_resets_the_count_on_a_successful_sign_in(handler: Any) -> None:
    client = Client()
    fail(client, handler.username, 4)
    assert client.post("/login/", {"username": handler.username, "password": PASSWORD}).status_code == 302
    assert fail(Client(), handler.username, 4) == [200, 200, 200, 200]


def test_it_leaves_the_test_clients_login_alone(handler: Any) -> None:
    """authenticate() without a request (the test client, a shell) is not a web sign-in and is not counted."""
    assert Client().login(username=handler.username, password=PASSWORD)
