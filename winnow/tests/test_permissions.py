"""One permission table, one question, one refusal: the web answers 403, the API its error shape, commands a
CommandError."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from winnow.permissions import (
    ROLE_CAPABILITIES,
    Capability,
    NotPermitted,
    Role,
    can,
    require,
    roles_with,
    units_with,
)


def test_it_gives_every_role_a_row_and_every_member_the_unit_s_referrals() -> None:
    assert set(ROLE_CAPABILITIES) == set(Role)
    assert roles_with(Capability.READ_REFERRALS) == frozenset(Role)


def test_it_answers_per_unit(handler: Any, units: dict[str, Any]) -> None:
    north, east = units["north"], units["east"]
    assert can(handler, Capability.RECORD_REFERRALS, north.pk)
    assert not can(handler, Capability.RECORD_REFERRALS, east.pk)
    assert can(handler, Capability.RECORD_REFERRALS)  # in some unit
    assert not can(handler, Capability.DECIDE_BANDS)
    assert units_with(handler, Capability.ASSESS) == {north.pk}


def test_it_refuses_with_its_own_error_not_the_builtin_permission_error(investigator: Any, units: Any) -> None:
    with pytest.raises(NotPermitted) as refused:
        require(investigator, Capability.DECIDE_BANDS, units["north"].pk)
    assert not isinstance(refused.value, PermissionError)
    assert refused.value.capability is Capability.DECIDE_BANDS


def test_it_refuses_anonymous_and_inactive_people(handler: Any, units: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not can(AnonymousUser(), Capability.READ_REFERRALS)
    handler.is_active = False
    assert not can(handler, Capability.RECORD_REFERRALS, units["north"].pk)


def test_it_answers_403_on_the_web(client: Client, analyst: Any) -> None:
    client.force_login(analyst)
    assert client.get("/referrals/new/").status_code == 403


def test_it_answers_the_api_error_shape(client: Client, analyst: Any, token_for: Any) -> None:
    payload = {"unit": "north", "source": "ncmec", "received_at": "2026-11-02T10:15:00+00:00",
               "summary": "Fictional."}
    response = client.post("/api/v1/referrals", payload, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token_for(analyst)}", HTTP_X_REQUEST_ID="req-perm-0001")
    assert response.status_code == 403
    body = response.json()
    assert body["request_id"] == "req-perm-0001"
    assert body["error"]["status"] == 403 and body["error"]["code"] == "forbidden"
    assert body["error"]["details"] == [{"field": "capability", "reason": "needs record_referrals"}]


def test_it_refuses_a_command_with_a_clear_error(tmp_path: Path, analyst: Any) -> None:
    path = tmp_path / "a.csv"
    path.write_text("source,received_at,summary\n")
    with pytest.raises(CommandError, match=r"ana\.analyst does not record referrals .* in that unit"):
        call_command("import-referrals", str(path), unit="north", user="ana.analyst")
