"""A forensic officer takes a series from the victim-identification queue, works it to "child identified", and
sees the child on the referral. The queue and series pages pass axe at 1280 and 375 px. Benign generated images
only; no image is ever shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.support import assert_accessible, login
from winnow.accounts.models import Membership, User
from winnow.triage.services import exhibit_create, file_chunks, hash_set_import, scan_result_store
from winnow.victimid.tasks import series_enqueue_if_pending
from winnow.victimid.tests.support import MAKE, MODEL, make_scene
from winnow.worker.tests.support import run_ready_tasks

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _person(username: str, unit: Any, role: str) -> Any:
    user = User.objects.create_user(username=username, password="correct-horse-battery-staple")
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


def test_a_forensic_officer_works_a_series_to_child_identified(
        page: Any, referral: Any, units: Any, tmp_path: Path, settings: Any) -> None:
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    scene = make_scene(tmp_path)
    admin = _person("ada.admin", units["north"], "administrator")
    officer = _person("fran.forensic", units["north"], "forensic")
    first = tmp_path / "first.csv"
    first.write_text(f"md5,category\n{scene.unrelated_md5},A\n")
    hash_set_import(actor=admin, path=first, name="Fictional first list", scheme="uk-abc")
    exhibit = exhibit_create(actor=officer, referral=referral, label="FF/1", device_make=MAKE, device_model=MODEL)
    scan_result_store(actor=officer, exhibit=exhibit, chunks=file_chunks(scene.north_result),
                      filename="north.scan.sqlite", via="server", background=False)

    page.set_default_timeout(60_000)  # the shared 2-core machine runs eight engineers' tests at once
    login(page, "fran.forensic")
    page.get_by_role("link", name="Victim ID").first.click()
    expect(page.get_by_role("heading", name="Victim identification")).to_be_visible()
    expect(page.get_by_text("Not yet in these series: 1 summarised scan result")).to_be_visible()
    series_enqueue_if_pending()  # the task worker's heartbeat, then the worker
    run_ready_tasks()
    page.reload()
    expect(page.get_by_text("2 open series")).to_be_visible()
    expect(page.locator("table").get_by_text("Appears self-produced").first).to_be_visible()
    assert page.locator("img").count() == 0
    assert_accessible(page)
    page.locator("table a.govuk-link").first.click()
    expect(page.get_by_role("heading", name="Series VS-")).to_be_visible()
    expect(page.get_by_text("Fictocam FC-100: 2")).to_be_visible()
    assert_accessible(page)
    for step in ("Under review", "Identification in progress"):
        page.get_by_label("Next step").select_option(label=step)
        page.get_by_label("Why").fill(f"{step}: working from the forensic tool.")
        page.get_by_role("button", name="Record step").click()
        expect(page.get_by_text(f"{step.lower()} recorded")).to_be_visible()
    page.get_by_label("Next step").select_option(label="Child identified")
    page.get_by_label("Why").fill("Identified from a school badge seen in the forensic tool.")
    page.get_by_label("Referral the identified child belongs to").select_option(label=referral.reference)
    page.get_by_label("Child's given names").fill("Fictia")
    page.get_by_label("Child's family name").fill("Example")
    page.get_by_role("button", name="Record step").click()
    expect(page.get_by_text("child identified recorded")).to_be_visible()
    assert page.locator("img").count() == 0
    page.get_by_role("link", name=referral.reference).first.click()
    card = page.locator(".govuk-summary-card", has_text="Fictia Example")
    expect(card).to_contain_text("Victim")
