"""Real-shape inputs in the browser: an administrator imports a UTF-16 X-Ways export, a known-files list and two
sets whose categories conflict; a forensic officer sees the conflict on the exhibit; a handler imports a
CyberTipline report with unknown elements and sees them listed on the referral. axe at 1280 and 375 px on each page
changed."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.support import assert_accessible, finish_job, login
from winnow.accounts.models import Membership, User
from winnow.triage.models import HashSet
from winnow.triage.tests.support import make_collection

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def _person(username: str, unit: Any, role: str) -> Any:
    user = User.objects.create_user(username=username, password="correct-horse-battery-staple")
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


def test_hash_lists_conflicts_and_a_cybertipline_report_with_unknown_elements(
    page: Any, live_db: Any, referral: Any, units: Any, tmp_path: Path, settings: Any
) -> None:
    # the shared machine is loaded: the live server's first request (URLconf, API assembly) can take 20 s
    urllib.request.urlopen(f"{live_db.url}/login/", timeout=120).read()  # noqa: S310 - the test's own server
    page.set_default_timeout(30_000)
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    collection = make_collection(tmp_path)
    _person("ada.admin", units["north"], "administrator")
    _person("fran.forensic", units["north"], "forensic")
    _person("hal.handler", units["north"], "handler")

    login(page, "ada.admin")
    page.goto("/triage/hash-sets/")
    page.get_by_label("Name").fill("X-Ways export")
    page.get_by_label("Hash set file").set_input_files(str(CORPUS / "hashlists" / "xways-export.txt"))
    page.get_by_role("button", name="Import hash set").click()
    finish_job(page, accessible=True)
    expect(page.get_by_text("Imported 5 entries")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Upload another file").click()
    page.get_by_label("Name").fill("OS files")
    page.get_by_label("Hash set file").set_input_files(str(CORPUS / "hashlists" / "os-files.txt"))
    page.get_by_label("A list of known software files").check()
    page.get_by_role("button", name="Import hash set").click()
    finish_job(page)
    assert HashSet.objects.get(name="OS files").kind == "known-files"
    for name, category in (("One", "A"), ("Two", "C")):
        path = tmp_path / f"{name}.csv"
        path.write_text(f"md5,category\n{collection.known_md5},{category}\n")
        page.goto("/triage/hash-sets/")
        page.get_by_label("Name").fill(name)
        page.get_by_label("Hash set file").set_input_files(str(path))
        page.get_by_label("Category scheme").select_option("uk-abc")
        page.get_by_role("button", name="Import hash set").click()
        finish_job(page)
    expect(page.get_by_text("Category conflict: 0 hash(es) under two categories in this set, 1 categorised")).to_be_visible()
    page.locator("main").get_by_role("link", name="Hash sets", exact=True).click()
    expect(page.locator("table").first).to_contain_text("conflict")
    assert_accessible(page)

    page.context.clear_cookies()
    login(page, "fran.forensic")
    page.goto(referral.get_absolute_url())
    page.get_by_role("link", name="Record an exhibit").click()
    page.get_by_label("Label").fill("FF/2")
    page.get_by_role("button", name="Record exhibit").click()
    page.get_by_label("Scan result file (from winnow scan)").set_input_files(str(collection.result))
    page.get_by_role("button", name="Upload scan result").click()
    expect(page.locator("#category-conflicts")).to_contain_text("Category conflict: 2 files")
    expect(page.locator("#by-set")).to_contain_text("One")
    assert_accessible(page)

    page.context.clear_cookies()
    login(page, "hal.handler")
    page.goto("/referrals/cybertipline/")
    page.get_by_label("Unit").select_option(label=units["north"].name)
    page.locator("input[type=file]").set_input_files(str(CORPUS / "cybertipline" / "unknown-constructs" / "report.xml"))
    page.locator("input[name=immediate_danger][value=no]").check()
    page.get_by_role("button", name="Import package").click()
    finish_job(page)
    expect(page.get_by_text("2 element(s) or attribute(s) of the package were not read")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Referral NORTH-")).click()
    page.get_by_text("What was not read", exact=True).click()
    expect(page.get_by_text("/report/incidentSummary/futureSummaryField")).to_be_visible()
    assert_accessible(page)
