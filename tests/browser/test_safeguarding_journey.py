"""Safeguarding in a real browser: a referral recorded with a child believed to be in immediate danger is due a
safeguarding referral today; an investigator records the referral made to children's social care, then the strategy
discussion as a new version; the first version stays visible. axe-core at 1280 and 375 px on every page."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.support import assert_accessible, login
from winnow.core.intake import referral_from_mapping
from winnow.intake.services import canonical_json, referral_record
from winnow.safeguarding.models import Concern

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SHOTS = Path(os.environ.get("WINNOW_SCREENSHOTS", "test-results"))


def _both_widths(page: Any) -> None:
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def _fill_when(page: Any, name: str, when: Any) -> None:
    local = timezone.localtime(when)
    for part, value in (("day", local.day), ("month", local.month), ("year", local.year)):
        page.locator(f"#id_{name}-{part}").fill(str(value))
    if name == "made_at":
        page.locator("#id_made_at-hour").fill(f"{local.hour:02d}")
        page.locator("#id_made_at-minute").fill(f"{local.minute:02d}")


def test_an_investigator_records_a_safeguarding_referral_and_its_strategy_discussion(
        page: Any, units: Any, handler: Any, investigator: Any) -> None:
    now = timezone.now()
    mapping = {"source": "nca_ceop", "source_reference": "NCA-SG-BROWSER-1", "received_at": now.isoformat(),
               "summary": "Fictional referral: a child is believed to be in immediate danger.",
               "immediate_danger": True, "subjects": [{"role": "reported", "given_names": "Fictional", "family_name": "Suspect"}]}
    referral = referral_record(actor=handler, unit=units["north"], draft=referral_from_mapping(mapping, now=now),
                               raw=canonical_json(mapping), media_type="application/json", via="api")

    login(page, investigator.username)
    expect(page).to_have_url(re.compile(r"/today/$"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Safeguarding").click()
    expect(page.get_by_role("heading", name="Safeguarding referrals due")).to_be_visible()
    row = page.locator("tr", has_text=referral.reference)
    expect(row.get_by_text("Due", exact=True)).to_be_visible()
    _both_widths(page)

    row.get_by_role("link", name=referral.reference).click()
    expect(page.get_by_role("heading", name="Safeguarding referrals")).to_be_visible()
    _both_widths(page)
    page.get_by_role("link", name="Record a safeguarding referral").click()
    page.get_by_role("button", name="Record the safeguarding referral").click()  # empty: errors, nothing written
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    _both_widths(page)

    _fill_when(page, "made_at", now)
    page.get_by_label("Local authority").fill("Northmoor Borough Council (fictional)")
    page.get_by_label("Team or person").fill("MASH duty desk")
    expect(page.get_by_label(re.compile("A child is believed to be in immediate danger"))).to_be_checked()
    page.get_by_role("button", name="Record the safeguarding referral").click()
    expect(page.get_by_text("Safeguarding referral recorded.")).to_be_visible()
    concern = Concern.objects.get(referral=referral)
    expect(page.locator(f"#concern-{concern.pk}").get_by_text("Made", exact=True)).to_be_visible()
    _both_widths(page)

    page.get_by_role("link", name=re.compile("Correct, or add the strategy discussion")).click()
    _fill_when(page, "strategy_held_on", now)
    page.get_by_label("Strategy discussion outcome").select_option(label="Section 47 enquiries (Children Act 1989)")
    page.get_by_label("Why is this version needed?").fill("Strategy discussion held with the duty social worker.")
    _both_widths(page)
    page.get_by_role("button", name="Record the new version").click()
    expect(page.get_by_text("New version recorded; the earlier one is kept.")).to_be_visible()
    expect(page.get_by_text(re.compile("Section 47 enquiries"))).to_be_visible()
    page.get_by_text("Earlier versions (kept as recorded)").click()
    expect(page.get_by_role("heading", name="Version 1")).to_be_visible()
    _both_widths(page)
    page.screenshot(path=str(SHOTS / "safeguarding-referral.png"), full_page=True)
