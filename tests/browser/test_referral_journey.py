"""A handler records a referral through the form, finds it in the list and opens it; another unit gets 404."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.support import login
from winnow.audit.models import AuditEvent
from winnow.referrals.models import Referral

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SHOTS = Path(os.environ.get("WINNOW_SCREENSHOTS", "test-results"))


def _received(page: Any, *parts: str) -> None:
    """The GOV.UK date input: day, month, year, hour and minute boxes inside the "Received" fieldset."""
    group = page.get_by_role("group", name="Received")
    for label, value in zip(("Day", "Month", "Year", "Hour", "Minute"), parts, strict=True):
        group.get_by_label(label, exact=True).fill(value)


def test_it_lets_a_handler_record_find_and_open_a_referral(page: Any, handler: Any, outsider: Any) -> None:
    login(page, "hannah.handler")
    expect(page.get_by_role("heading", name="Your day")).to_be_visible()
    assert page.request.get("/static/winnow/winnow.css").ok, "the stylesheet is not served"

    page.get_by_role("link", name="Record a referral").first.click()
    page.get_by_label("Source", exact=True).select_option("ncmec")
    page.get_by_label("Source reference (optional)").fill("CT-BROWSER-0001")
    _received(page, "20", "11", "2026", "14", "30")
    page.get_by_label("Summary").fill("Fictional browser-test referral: ESP reported uploads.")
    page.get_by_role("group", name="Is a child believed to be in immediate danger?").get_by_label("Yes").check()
    page.get_by_label("Given names").fill("Browsy")
    page.get_by_label("Family name").fill("McTestface")
    page.locator("#id_identifier_0_kind").select_option("email")
    page.locator("#id_identifier_0_value").fill("Browsy.McTestface@Example.com")
    page.locator("#id_identifier_1_kind").select_option("ip")
    page.locator("#id_identifier_1_value").fill("192.0.2.99")
    page.locator("#id_identifier_1_observed_at").fill("2026-11-19T23:05")
    page.get_by_role("button", name="Record referral").click()

    expect(page.get_by_text(re.compile(r"Referral NORTH-2026-\d+ recorded"))).to_be_visible()
    referral = Referral.objects.get(source_reference="CT-BROWSER-0001")
    assert referral.immediate_danger
    assert set(referral.subjects.get().identifiers.values_list("normalised", flat=True)) == {
        "browsy.mctestface@example.com", "192.0.2.99"}

    page.get_by_role("link", name="Referrals", exact=True).click()
    page.get_by_label("Reference").fill(referral.reference)
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name=referral.reference).click()
    expect(page.get_by_role("heading", name=f"Referral {referral.reference}")).to_be_visible()
    expect(page.get_by_text("A child is believed to be in immediate danger", exact=True)).to_be_visible()
    expect(page.get_by_text("Browsy McTestface")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "referral-detail.png"), full_page=True)
    assert AuditEvent.objects.filter(action="referral.read", actor=handler, target_id=str(referral.pk)).exists()

    detail_url = page.url
    page.get_by_role("button", name="Sign out").click()
    login(page, "otto.outsider")
    response = page.goto(detail_url)
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_text("Browsy")).to_have_count(0)


def test_it_shows_form_errors_and_records_nothing(page: Any, handler: Any) -> None:
    login(page, "hannah.handler")
    page.goto("/referrals/new/")
    _received(page, "20", "11", "2026", "14", "30")
    page.get_by_label("Summary").fill("=HYPERLINK(\"http://example.com\")")
    page.get_by_role("button", name="Record referral").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_text("Answer Yes or No").first).to_be_visible()  # the danger question is required
    page.get_by_role("group", name="Is a child believed to be in immediate danger?").get_by_label("No").check()
    page.get_by_role("button", name="Record referral").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_text(re.compile("formula", re.I)).first).to_be_visible()
    assert not Referral.objects.exists()
