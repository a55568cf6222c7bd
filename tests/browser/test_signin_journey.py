"""Signing in as police systems need it, in a real browser: setting up and using TOTP, a lockout, an idle timeout,
changing one's own password from the account page, and an administrator's change showing in the audit trail."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import override_settings
from playwright.sync_api import expect

from tests.browser.support import assert_accessible, login
from winnow.accounts.models import Membership, Unit, User
from winnow.signin.middleware import LAST_SEEN
from winnow.signin.tests.authenticator import code

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "correct-horse-battery-staple"


def _person(username: str, role: str, **flags: Any) -> User:
    unit, _ = Unit.objects.get_or_create(code="north", defaults={"name": "Northmoor Test Unit"})
    user = User.objects.create_user(username=username, password=PASSWORD, **flags)
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


def _set_up_totp(page: Any) -> tuple[str, int]:
    """On the set-up page: read the key as a person types it into their app, enter the app's code."""
    expect(page.get_by_role("heading", name="Set up two-step verification")).to_be_visible()
    expect(page.locator(".winnow-qr svg")).to_be_visible()
    secret = page.locator("#totp-key").inner_text()
    page.get_by_label("Code from your authenticator app").fill(code(secret))
    page.get_by_role("button", name="Turn on two-step verification").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    assert len(re.findall(r"\d{10}", page.locator("#recovery-codes").inner_text())) == 10
    return secret, int(time.time() // 30)  # the server matched the code at this step or earlier


@override_settings(WINNOW_MFA_REQUIRED=True)
def test_a_handler_sets_up_totp_then_signs_in_with_it(page: Any, live_db: Any) -> None:
    _person("hannah.handler", "handler")
    login(page, "hannah.handler")
    assert_accessible(page)  # the set-up page, with its QR code
    secret, used_step = _set_up_totp(page)
    assert_accessible(page)  # the recovery codes
    page.get_by_role("link", name="I have kept my codes, continue").click()
    expect(page.get_by_role("heading", name="Your day")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    login(page, "hannah.handler")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Code").fill("000000" if code(secret) != "000000" else "111111")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    failed_at = time.time()
    # django-otp refuses a code of the time step already used (the set-up code's step, no later than `used_step`)
    # and, after one wrong code, any code for 1 s. Wait for both, then the app's current code must work first time:
    # retrying would double the back-off with every wrong try and make the test depend on where the clock falls.
    while int(time.time() // 30) <= used_step or time.time() - failed_at < 1.5:
        time.sleep(0.5)
    page.get_by_label("Code").fill(code(secret))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Your day")).to_be_visible()


def test_five_wrong_passwords_lock_the_username(page: Any, live_db: Any) -> None:
    _person("ivan.investigator", "investigator")
    for attempt in range(5):
        login(page, "ivan.investigator", f"wrong-password-{attempt}")
    expect(page.get_by_role("heading", name="Sign-in locked")).to_be_visible()
    assert_accessible(page)
    login(page, "ivan.investigator")  # the right password, too late
    expect(page.get_by_role("heading", name="Sign-in locked")).to_be_visible()


def test_thirty_idle_minutes_sign_a_person_out(page: Any, live_db: Any) -> None:
    _person("sara.supervisor", "supervisor")
    login(page, "sara.supervisor")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    # Half an hour passes with no request: the server-side session says so.
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=cookie["value"])
    session[LAST_SEEN] = time.time() - 31 * 60
    session.save()
    page.goto("/queue/")
    expect(page.get_by_role("heading", name="Sign in to Winnow")).to_be_visible()
    expect(page.get_by_text("You were signed out because you had not used Winnow for a while")).to_be_visible()
    assert_accessible(page)
    # Signing in on this page (its form carries next=) brings them back where they were.
    page.get_by_label("Username").fill("sara.supervisor")
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/queue/$"))


def test_a_person_changes_their_password_from_the_account_page(page: Any, live_db: Any) -> None:
    _person("ana.analyst", "analyst")
    login(page, "ana.analyst")
    page.get_by_role("link", name="ana.analyst (your account)").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Change your password").click()
    expect(page.get_by_role("heading", name="Change your password")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Old password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("tidal-lantern-orchid-47")
    page.get_by_label("New password confirmation").fill("tidal-lantern-orchid-47")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password has been changed.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    login(page, "ana.analyst", "tidal-lantern-orchid-47")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@override_settings(WINNOW_MFA_REQUIRED=True)
def test_an_administrators_change_shows_in_the_audit_trail(page: Any, live_db: Any) -> None:
    admin_user = _person("adam.admin", "administrator", is_staff=True, is_superuser=True)
    target = _person("otto.officer", "investigator")
    login(page, "adam.admin")
    _set_up_totp(page)
    page.goto(f"/admin/accounts/user/{target.pk}/change/")
    page.get_by_label("Superuser status").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    assert User.objects.get(pk=target.pk).is_superuser
    page.goto("/audit/")
    row = page.get_by_role("row").filter(has_text="admin.change")
    expect(row).to_contain_text("adam.admin")
    expect(row).to_contain_text(f"user:{target.pk}")
    expect(page.get_by_role("row").filter(has_text="mfa.enrol")).to_have_count(1)
    assert admin_user.pk
