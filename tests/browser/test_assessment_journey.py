"""A handler assesses a referral's subject and sees band, explanation and the not-KIRAT notice; a supervisor
overrides it with a rationale; the referral page shows both the computed and the decided band."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.support import login
from winnow.assessments.models import Assessment, BandDecision

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SHOTS = Path(os.environ.get("WINNOW_SCREENSHOTS", "test-results"))
WHY = "The access to children recorded by the handler ended when the family moved away last month."


def test_it_assesses_overrides_and_shows_both_bands(page: Any, referral: Any, handler: Any, supervisor: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    login(page, "hannah.handler")
    page.goto(f"/referrals/{referral.pk}/")
    page.get_by_role("link", name="Assess person 1").click()
    page.get_by_role("link", name="Winnow phased prioritisation aid (not KIRAT)").click()
    expect(page.get_by_text("NOT KIRAT").first).to_be_visible()
    page.get_by_role("group", name="Lives with a child, or has a child to stay").get_by_label("Yes", exact=True).check()
    page.get_by_role("group", name="Evidence of grooming a child").get_by_label("Yes", exact=True).check()
    page.locator("#id_note_grooming").fill("Chat logs in the package (fictional).")
    page.get_by_role("group", name="Convicted of, or alleged to have committed, a contact sexual offence against a "
                                   "child").get_by_label("No", exact=True).check()
    page.screenshot(path=str(SHOTS / "assessment-form.png"), full_page=True)
    page.get_by_role("button", name="Score and record the assessment").click()

    expect(page.get_by_text("Assessment recorded: Very High.")).to_be_visible()
    expect(page.get_by_text("NOT KIRAT").first).to_be_visible()
    expect(page.get_by_text("rule 2a").first).to_be_visible()
    expect(page.get_by_text("11 of 14", exact=True)).to_be_visible()
    page.screenshot(path=str(SHOTS / "assessment-result.png"), full_page=True)
    assert page.get_by_role("link", name="Confirm or override the band").count() == 0  # handlers do not decide
    assessment = Assessment.objects.get()

    page.get_by_role("button", name="Sign out").click()
    login(page, "sara.supervisor")
    page.goto(f"/assessments/{assessment.pk}/")
    page.get_by_role("link", name="Confirm or override the band").click()
    page.get_by_label("Override the computed band").check()
    page.get_by_label("Band the referral should have (for an override)").select_option("medium")
    page.get_by_label("Rationale").fill(WHY)
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("re-prioritised")).to_be_visible()
    assert BandDecision.objects.get().decided_band == "medium"

    page.goto(f"/referrals/{referral.pk}/")
    section = page.locator(".govuk-summary-card", has_text="Computed")
    expect(section.get_by_text("Very High")).to_be_visible()
    expect(section.get_by_text("Medium")).to_be_visible()
    expect(section.get_by_text(WHY)).to_be_visible()
    expect(section.get_by_text("NOT KIRAT:")).to_be_visible()
    page.screenshot(path=str(SHOTS / "assessment-referral.png"), full_page=True)
