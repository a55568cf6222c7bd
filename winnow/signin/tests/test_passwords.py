"""Password rules (at least 12 characters, not common, not all digits, not repetitive) and changing one's own."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from winnow.audit.models import AuditEvent

PASSWORD = "correct-horse-battery-staple"


@pytest.mark.parametrize("weak", ["aaaaaaaaaaaa", "short-one", "123456789012345", "password1234", "abababababababab"])
def test_it_refuses_weak_passwords(weak: str, db: Any) -> None:
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_it_accepts_a_long_varied_passphrase(db: Any) -> None:
    validate_password("tidal-lantern-orchid-47")


def test_it_lets_a_person_change_their_own_password_from_their_account(handler: Any) -> None:
    client = Client()
    client.force_login(handler)
    account = client.get("/account/").content.decode()
    assert 'href="/account/password/"' in account and "Change your password" in account
    page = client.get("/account/password/")
    assert page.status_code == 200 and "Change your password" in page.content.decode()
    weak = client.post("/account/password/", {"old_password": PASSWORD, "new_password1": "aaaaaaaaaaaa",
                                              "new_password2": "aaaaaaaaaaaa"})
    assert weak.status_code == 200 and "too few characters" in weak.content.decode()
    wrong_old = client.post("/account/password/", {"old_password": "not-it", "new_password1": "tidal-lantern-orchid-47",
                                                   "new_password2": "tidal-lantern-orchid-47"})
    assert wrong_old.status_code == 200
    assert not AuditEvent.objects.filter(action="password.change").exists()
    done = client.post("/account/password/", {"old_password": PASSWORD, "new_password1": "tidal-lantern-orchid-47",
                                              "new_password2": "tidal-lantern-orchid-47"})
    assert done.status_code == 302 and done["Location"] == "/account/"
    assert client.get("/referrals/").status_code == 200  # still signed in
    handler.refresh_from_db()
    assert handler.check_password("tidal-lantern-orchid-47")
    assert AuditEvent.objects.get(action="password.change").actor == handler


def test_it_shows_the_account_link_in_the_header(handler: Any) -> None:
    client = Client()
    client.force_login(handler)
    assert 'href="/account/"' in client.get("/referrals/").content.decode()
