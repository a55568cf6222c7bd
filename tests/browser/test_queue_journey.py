"""A supervisor sees an overdue Very High referral at the top, assigns it; the investigator sees it in "my work"."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.support import login
from winnow.core.intake import referral_from_mapping
from winnow.intake.services import canonical_json, referral_record
from winnow.referrals.services import referral_apply_band
from winnow.workload.models import Assignment

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SHOTS = Path(os.environ.get("WINNOW_SCREENSHOTS", "test-results"))


def _referral(handler: Any, unit: Any, n: int, days_ago: float, band: str | None, decided_days_ago: float = 0) -> Any:
    now = timezone.now()
    mapping = {"source": "ncmec", "source_reference": f"CT-Q-{n}", "summary": f"Fictional queue referral {n}.",
               "received_at": (now - timedelta(days=days_ago)).isoformat(), "immediate_danger": False, "subjects": []}
    referral = referral_record(actor=handler, unit=unit, draft=referral_from_mapping(mapping, now=now),
                               raw=canonical_json(mapping), media_type="application/json", via="api")
    if band:
        referral_apply_band(actor=handler, referral=referral, band=band,
                            decided_at=now - timedelta(days=decided_days_ago), why="browser test")
    return referral


def test_it_puts_an_overdue_very_high_referral_on_top_and_assigns_it(
    page: Any, handler: Any, supervisor: Any, investigator: Any, units: Any
) -> None:
    _referral(handler, units["north"], 1, 2, "low")
    _referral(handler, units["north"], 2, 1, "high")
    urgent = _referral(handler, units["north"], 3, 6, "very_high", decided_days_ago=4)
    _referral(handler, units["north"], 4, 0.2, None)

    login(page, "sara.supervisor")
    page.goto("/queue/")
    first_row = page.locator("table.winnow-queue tbody tr").first
    expect(first_row).to_contain_text(urgent.reference)
    expect(first_row).to_contain_text("Overdue")
    expect(first_row).to_contain_text("Very High")

    page.get_by_label(f"Select {urgent.reference}").check()
    page.get_by_label("Assign selected to").select_option(label="ivan.investigator")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("1 referral(s) assigned to ivan.investigator")).to_be_visible()
    assert Assignment.objects.get().referral_id == urgent.pk

    page.goto("/queue/dashboard/")
    expect(page.get_by_role("heading", name="Open and overdue referrals by band")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)

    page.get_by_role("button", name="Sign out").click()
    login(page, "ivan.investigator")
    page.goto("/queue/mine/")
    expect(page.locator("table.winnow-queue tbody tr")).to_have_count(1)
    expect(page.locator("table.winnow-queue tbody tr").first).to_contain_text(urgent.reference)
