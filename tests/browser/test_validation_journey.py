"""An analyst opens the validation report on a fresh demo's fictional outcomes and reads its figures."""

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


def test_an_analyst_reads_the_validation_report_on_demo_data(page: Any, live_db: Any) -> None:
    call_command("seed-demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    login(page, "analyst", "winnow-demo-only")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Validation").click()
    expect(page.get_by_role("heading", name="Local validation")).to_be_visible()
    expect(page.get_by_text("fictional demo data made by seed-demo")).to_be_visible()
    expect(page.get_by_role("row", name="AUC (discrimination)")).to_contain_text("(DeLong)")
    expect(page.get_by_text("Too small to judge").first).to_be_visible()
    expect(page.locator("svg[role=img]").first).to_be_visible()
    assert_accessible(page)  # at 1280 and 375 px
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this table as CSV").first.click()
    assert download.value.suggested_filename == "winnow-validation-rates.csv"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "validation.png"), full_page=True)

    # Narrow the closing dates in GOV.UK's day, month and year boxes; a date that does not exist is named.
    closed_to = page.get_by_role("group", name="Closed to")
    closed_to.get_by_label("Day").fill("30")
    closed_to.get_by_label("Month").fill("2")
    closed_to.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("Closed to must be a real date")).to_be_visible()
    expect(page.get_by_role("row", name="AUC (discrimination)")).to_have_count(0)
    assert_accessible(page)
    closed_from = page.get_by_role("group", name="Closed from")
    closed_from.get_by_label("Day").fill("1")
    closed_from.get_by_label("Month").fill("1")
    closed_from.get_by_label("Year").fill("2999")
    page.get_by_role("group", name="Closed to").get_by_label("Day").fill("")
    page.get_by_role("group", name="Closed to").get_by_label("Month").fill("")
    page.get_by_role("group", name="Closed to").get_by_label("Year").fill("")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("closed 1 January 2999 to now")).to_be_visible()
