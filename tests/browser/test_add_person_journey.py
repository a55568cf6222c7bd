"""A referral that arrived naming nobody (a CyberTipline report with only an IP address) gets its person once a
subscriber check names the account holder: the handler adds them from the "Nobody named yet" state, is told
what is missing first, and then opens the assessment for that person. Accessible at 1280 and 375 px. Fictional."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.support import assert_accessible, login
from winnow.linkage.tests.support import record
from winnow.referrals.models import Subject, SubjectAddition

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
WHY = "Subscriber check on 192.0.2.10 (fictional ISP return SC-0042) names the account holder."


def test_it_adds_a_person_to_a_referral_naming_nobody_and_opens_their_assessment(
        page: Any, handler: Any, supervisor: Any, units: dict[str, Any]) -> None:
    referral = record(supervisor, units["north"], subjects=[], reference="CT-IP-ONLY-1")
    login(page, "hannah.handler")
    page.goto(referral.get_absolute_url())
    expect(page.get_by_text("Nobody named yet.")).to_be_visible()
    assert_accessible(page)
    page.locator("#nobody-named").get_by_role("link", name="Add a person").click()

    expect(page.get_by_role("heading", name="Add a person")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Add the person").click()  # nothing answered yet
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Choose the person's part in the referral"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Say how this person was identified"))).to_be_visible()
    assert_accessible(page)
    assert not Subject.objects.exists()

    page.get_by_role("group", name="Their part in the referral").get_by_label("Reported").check()
    page.get_by_label("Given names").fill("Addy")
    page.get_by_label("Family name").fill("Laterfound")
    born = page.get_by_role("group", name="Date of birth")
    for label, value in (("Day", "2"), ("Month", "6"), ("Year", "1985")):
        born.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Addresses", exact=True).fill("2 Example Road, Testtown")
    page.locator("#id_identifier_0_kind").select_option("ip")
    page.locator("#id_identifier_0_value").fill("192.0.2.10")
    page.locator("#id_identifier_0_observed_at").fill("2026-11-01 21:40")
    page.get_by_label("How was this person identified?").fill(WHY)
    page.get_by_role("button", name="Add the person").click()

    expect(page.get_by_text(f"Addy Laterfound added to {referral.reference}.")).to_be_visible()
    subject = Subject.objects.get(referral=referral)
    assert SubjectAddition.objects.get(subject=subject).reason == WHY
    card = page.locator(f"#person-{subject.pk}")
    expect(card.get_by_text(WHY)).to_be_visible()
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline.get_by_role("row", name=re.compile("Person added hannah.handler Addy Laterfound"))).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Assess person 1").click()
    page.get_by_role("link", name="Winnow phased prioritisation aid (not KIRAT)").click()
    assert re.search(rf"/assessments/subjects/{subject.pk}/new/[\w-]+/$", page.url), page.url
    expect(page.get_by_text("NOT KIRAT").first).to_be_visible()
    assert_accessible(page)
