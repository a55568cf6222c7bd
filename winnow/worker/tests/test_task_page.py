"""The task page shows administrators what failed and why; every other role is refused; anonymous users sign in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from winnow.audit.models import AuditEvent

from .support import run_ready_tasks
from .tasks import flaky, hopeless

pytestmark = pytest.mark.django_db


def test_it_shows_failures_with_their_reason_to_administrators(client: Client, administrator: Any,
                                                                tmp_path: Path) -> None:
    flaky.enqueue(path=str(tmp_path / "count"), failures=5)
    hopeless.enqueue(reason="referral 999 does not exist")
    run_ready_tasks()
    client.force_login(administrator)
    response = client.get("/tasks/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "winnow.worker.tests.tasks.hopeless" in body and "GiveUp: referral 999 does not exist" in body
    assert "RuntimeError: fictional failure on attempt 1" in body and "Retried as" in body and "Gave up" in body
    assert "No worker is running" in body
    assert AuditEvent.objects.filter(action="task.list", actor=administrator).exists()


@pytest.mark.parametrize("persona", ["handler", "investigator", "supervisor", "analyst", "outsider"])
def test_it_refuses_everyone_else(client: Client, persona: str, request: pytest.FixtureRequest) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/tasks/").status_code == 403


def test_it_sends_anonymous_users_to_sign_in(client: Client) -> None:
    response = client.get("/tasks/")
    assert response.status_code == 302 and response.url.startswith("/login/")
