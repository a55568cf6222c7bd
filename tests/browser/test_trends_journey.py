"""An analyst reads the offending trends on a fresh demo's fictional case history, at 1280 and 375 px."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.support import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SHOTS = Path(os.environ.get("WINNOW_SCREENSHOTS", "test-results"))


def test_an_analyst_reads_the_trends_on_demo_data(page: Any, live_db: Any) -> None:
    call_command("seed-demo", referrals=30, stdout=open(os.devnull, "w"))  # noqa: SIM115
    login(page, "analyst", "winnow-demo-only")
    page.get_by_role("link", name="Trends").click()
    expect(page.get_by_role("heading", name="Offending trends: Eastvale Police POLIT")).to_be_visible()
    page.get_by_label("Unit").select_option("nmr")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("fictional facts made by seed-demo")).to_be_visible()
    expect(page.get_by_text("23 March 2020 (England's first national lockdown)")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="IT skills and concealment").click()
    expect(page.get_by_role("heading", name="IT skills and concealment", level=2)).to_be_visible()
    expect(page.get_by_role("row", name="n (cases recorded)")).to_be_visible()
    expect(page.locator("svg[role=img] title").first).to_contain_text("n = ")
    expect(page.get_by_text("Covid-19 restrictions").first).to_be_attached()
    assert_accessible(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "trends-concealment.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this table as CSV").first.click()
    assert download.value.suggested_filename == "winnow-trends-nmr-concealment-year.csv"
    page.get_by_role("link", name="Re-referral (time to a later linked referral)").click()
    expect(page.get_by_role("table").first).to_contain_text("At risk at start")
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "trends-rereferral.png"), full_page=True)
    for url in ("/research/?unit=nmr", "/research/trends/concealment/?unit=nmr&period=quarter",
                "/research/trends/reoffending/?unit=nmr"):
        page.goto(url)
        assert_accessible(page)
