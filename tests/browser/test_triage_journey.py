"""An administrator imports a small fictional hash set; a forensic officer records an exhibit, uploads a result file
the real scanner made from benign generated images, and sees counts - never an image."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.support import finish_job, login
from winnow.accounts.models import Membership, User
from winnow.triage.models import CollectionSummary, HashSet
from winnow.triage.tests.support import make_collection

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SHOTS = Path(os.environ.get("WINNOW_SCREENSHOTS", "test-results"))


def _person(username: str, unit: Any, role: str) -> Any:
    user = User.objects.create_user(username=username, password="correct-horse-battery-staple")
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


def test_it_summarises_an_uploaded_collection_without_showing_images(
    page: Any, referral: Any, units: Any, tmp_path: Path, settings: Any
) -> None:
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    collection = make_collection(tmp_path)
    _person("ada.admin", units["north"], "administrator")
    _person("fran.forensic", units["north"], "forensic")

    login(page, "ada.admin")
    page.goto("/triage/hash-sets/")
    page.get_by_label("Name").fill("Fictional list")
    page.get_by_label("Hash set file").set_input_files(str(collection.csv_set(tmp_path)))
    page.get_by_label("Category scheme").select_option("uk-abc")
    page.get_by_role("button", name="Import hash set").click()
    finish_job(page)
    expect(page.get_by_text("Imported 3 entries")).to_be_visible()
    assert HashSet.objects.get().entries == 3

    page.context.clear_cookies()
    login(page, "fran.forensic")
    page.goto(referral.get_absolute_url())
    page.get_by_role("link", name="Record an exhibit").click()
    page.get_by_label("Label").fill("FF/1")
    page.get_by_label("Camera make of the seized device").fill("Fictocam")
    page.get_by_label("Camera model of the seized device").fill("FC-100")
    page.get_by_role("button", name="Record exhibit").click()
    expect(page.get_by_role("heading", name="Exhibit FF/1")).to_be_visible()
    page.get_by_label("Scan result file (from winnow scan)").set_input_files(str(collection.result))
    page.get_by_role("button", name="Upload scan result").click()
    expect(page.get_by_text("stored and summarised")).to_be_visible()
    expect(page.locator("#unknown-images")).to_have_text("5")
    expect(page.locator("#by-category")).to_contain_text("Category A")
    expect(page.get_by_text("3 unknown image(s) carry the seized device's camera model")).to_be_visible()
    assert page.locator("img").count() == 0
    assert "data:image" not in page.content()
    assert CollectionSummary.objects.count() == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "triage-exhibit.png"), full_page=True)
