"""Offender management in a real browser: an offender manager registers a fictional offender, logs a phone call
and finds the in-person lapse still standing; only an in-person visit clears it."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.support import login
from winnow.accounts.models import Membership, User
from winnow.offenders.services import offender_register

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SHOTS = Path(os.environ.get("WINNOW_SCREENSHOTS", "test-results"))


def _log_contact(page: Any, mode: str) -> None:
    page.get_by_role("link", name="Log a contact").click()
    page.get_by_label("Mode").select_option(label=mode)
    page.get_by_label("Outcome").select_option(label="Contact made")
    page.get_by_label("Notes").fill("Fictional contact for the test.")
    page.get_by_role("button", name="Log the contact").click()
    expect(page.get_by_text("Contact logged.")).to_be_visible()


def test_it_keeps_the_lapse_after_a_phone_call_until_an_in_person_visit(page: Any, referral: Any,
                                                                         units: Any) -> None:
    manager = User.objects.create_user(username="olly.manager", password="correct-horse-battery-staple")
    Membership.objects.create(user=manager, unit=units["north"], role="offender_manager")
    # Registered four months ago, seen in person at least every 3 months: the in-person interval has run out.
    offender = offender_register(
        actor=manager, subject=referral.subjects.get(), convicted_on=date(2025, 3, 16), disposal="custody",
        custody_months=12, under_18=False, now=timezone.now() - timedelta(days=120),
        plan={"risk": "medium", "mappa_category": 1, "mappa_level": 1, "manager": manager, "visit_every": 1,
              "visit_unit": "months", "in_person_every": 3, "in_person_unit": "months", "review_every": 12,
              "review_unit": "months", "digital_indicators": ["encryption"], "civil_orders": True,
              "conditions": "SHPO: every internet-capable device declared and available for inspection.",
              "clean_since": None, "reason": "Fictional plan: monthly contact, seen in person quarterly."},
    )
    login(page, "olly.manager")
    expect(page).to_have_url(re.compile(r"/today/$"))  # every role lands on its own panels of "Today"
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Offenders").click()
    expect(page.get_by_role("heading", name="Managed offenders", exact=True)).to_be_visible()
    expect(page.get_by_text("No in-person lapses.")).to_be_visible()  # overdue, but nothing remote stood in
    page.get_by_role("link", name=str(offender)).first.click()
    expect(page.get_by_role("heading", name="In-person lapse")).to_have_count(0)

    _log_contact(page, "Phone")
    expect(page.get_by_role("heading", name="In-person lapse")).to_be_visible()
    expect(page.get_by_text("1 remote contact happened instead")).to_be_visible()
    in_person = page.locator(".govuk-summary-list__row", has_text="Next in-person contact")
    expect(in_person.get_by_text("Overdue")).to_be_visible()  # the schedule agrees with the lapse banner
    page.screenshot(path=str(SHOTS / "offender-lapse.png"), full_page=True)
    page.get_by_role("link", name="all managed offenders").click()
    lapses = page.locator("table", has_text="Last seen in person")
    expect(lapses.get_by_role("link", name=str(offender))).to_be_visible()
    page.screenshot(path=str(SHOTS / "offender-dashboard.png"), full_page=True)

    lapses.get_by_role("link", name=str(offender)).click()
    _log_contact(page, "Home visit (in person)")
    expect(page.get_by_role("heading", name="In-person lapse")).to_have_count(0)
    page.get_by_role("link", name="all managed offenders").click()
    expect(page.get_by_text("No in-person lapses.")).to_be_visible()
    page.get_by_role("link", name="Register a managed offender").click()
    page.screenshot(path=str(SHOTS / "offender-register.png"), full_page=True)
