"""A handler imports a referral file through the page: the page returns at once to the upload's job page, which
updates itself (a static script: the CSP forbids inline script) as the worker imports; a file with a bad row fails
with the row and field named and nothing imported; the corrected file succeeds. axe at 1280 and 375 px on the job
page waiting, failed and succeeded."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.support import assert_accessible, finish_job, login
from winnow.core.intake import fictional_referrals_csv
from winnow.referrals.models import Referral
from winnow.worker.models import Job

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_referral_file_is_imported_by_the_worker_and_its_job_page_follows_it(
    page: Any, handler: Any, units: Any, tmp_path: Path
) -> None:
    bad, good = tmp_path / "referrals.csv", tmp_path / "referrals-corrected.csv"
    bad.write_bytes(fictional_referrals_csv(3, bad_row=2))
    good.write_bytes(fictional_referrals_csv(3))
    login(page, "hannah.handler")
    page.goto("/referrals/import/")
    page.get_by_label("Unit").select_option(label=units["north"].name)
    page.get_by_label("CSV or JSON file").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="referrals.csv")).to_be_visible()
    finish_job(page, accessible=True)
    expect(page.locator(".govuk-error-summary")).to_contain_text("referrals.csv: row 3")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Nothing was imported")
    expect(page).to_have_title(re.compile(r"^Error: Referral file import: failed"))
    assert_accessible(page)
    assert not Referral.objects.exists() and Job.objects.get().state == "failed"

    page.get_by_role("link", name="Upload a corrected file").click()
    recent = page.get_by_role("region", name="Your recent uploads")  # the way back to the failed upload's page
    expect(recent).to_contain_text("referrals.csv")
    expect(recent).to_contain_text("Failed")
    assert_accessible(page)
    page.get_by_label("Unit").select_option(label=units["north"].name)
    page.get_by_label("CSV or JSON file").set_input_files(str(good))
    page.get_by_role("button", name="Import").click()
    finish_job(page)
    expect(page.get_by_text("referrals-corrected.csv: 3 referrals imported.")).to_be_visible()
    assert_accessible(page)
    page.locator("main").get_by_role("link", name="Referrals", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Referrals"))).to_be_visible()
    assert Referral.objects.count() == 3
