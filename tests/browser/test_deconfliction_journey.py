"""Deconfliction end to end in a real browser: a handler imports the fictional CyberTipline sample; a supervisor
imports a second package about the same person; the second referral links to the first, saying why, and the
handler (the first referral's owner) is notified."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.support import finish_job, login
from winnow.linkage.models import IdentifierLink
from winnow.notifications.models import Notification
from winnow.referrals.models import Referral

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SHOTS = Path(os.environ.get("WINNOW_SCREENSHOTS", "test-results"))
SAMPLE = Path(__file__).resolve().parents[1] / "core" / "cybertipline" / "sample"


def _import(page: Any, files: list[Path], report_id: str) -> None:
    page.get_by_role("link", name="CyberTipline", exact=True).click()
    expect(page.get_by_role("heading", name="Import a CyberTipline package")).to_be_visible()
    page.get_by_label("Package files").set_input_files([str(f) for f in files])
    page.get_by_label("CyberTipline report number (optional)").fill(report_id)
    page.get_by_role("group", name="Is a child believed to be in immediate danger?").get_by_label("No").check()
    page.get_by_role("button", name="Import package").click()
    finish_job(page)  # the worker imports it; the job page says so and links to the referral
    expect(page.get_by_text(re.compile(r"CyberTipline package imported as referral NORTH-2026-\d+"))).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Referral NORTH-")).click()


def test_it_links_a_second_package_about_the_same_person_and_notifies_the_owner(
    page: Any, handler: Any, supervisor: Any, tmp_path: Path
) -> None:
    login(page, "hannah.handler")
    _import(page, [SAMPLE / "report-sample.xml", SAMPLE / "filedetails-1.xml", SAMPLE / "filedetails-2.xml"], "245551234")
    first = Referral.objects.get(source_reference="245551234")
    expect(page.get_by_role("heading", name=f"Referral {first.reference}")).to_be_visible()
    expect(page.get_by_text("IMG_2231.JPG")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # A month later the same account is reported again, from another upload.
    second_report = tmp_path / "report-second.xml"
    second_report.write_bytes(
        (SAMPLE / "report-sample.xml").read_bytes()
        .replace(b"2026-10-03T21:14:09Z", b"2026-11-12T08:02:00Z")
        .replace(b"<platform>Examplegram</platform>",
                 b"<platform>Examplegram</platform><escalateToHighPriority>Live contact with a child reported."
                 b"</escalateToHighPriority>")
    )
    login(page, "sara.supervisor")
    _import(page, [second_report], "245559999")
    second = Referral.objects.get(source_reference="245559999")
    expect(page.get_by_role("heading", name=f"Referral {second.reference}")).to_be_visible()
    expect(page.get_by_text("A child is believed to be in immediate danger", exact=True)).to_be_visible()
    links = page.locator("table", has_text="Shared identifiers")
    expect(links.get_by_role("link", name=first.reference)).to_have_count(2)  # the reported person and the recipient
    expect(links.get_by_text("same phone number +447700900461")).to_be_visible()
    expect(links.get_by_text("same username/account examplegram:quietlantern_79")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "deconfliction-links.png"), full_page=True)
    assert IdentifierLink.objects.filter(referral=second, linked_referral=first).count() >= 5
    page.get_by_role("button", name="Sign out").click()

    login(page, "hannah.handler")
    expect(page.get_by_label("1 unread")).to_be_visible()
    page.get_by_role("link", name=re.compile("Notifications")).click()
    expect(page.get_by_text(f"New referral {second.reference} links to your referral {first.reference}")).to_be_visible()
    page.screenshot(path=str(SHOTS / "deconfliction-notifications.png"), full_page=True)
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("heading", name=f"Referral {second.reference}")).to_be_visible()
    expect(page.get_by_label("1 unread")).to_have_count(0)
    note = Notification.objects.get()
    assert note.recipient == handler and hasattr(note, "read")
