"""A transfer between units in a real browser: Northmoor's supervisor asks Eastvale to take a referral over;
Eastvale's supervisor accepts it; it is in Eastvale's queue, and Northmoor keeps a read-only view of what it held.
axe-core (WCAG 2.2 A/AA) on every page of the journey at 1280 px and 375 px."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.support import assert_accessible, login
from winnow.transfers.models import Transfer

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _accessible(page: Any) -> None:
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        if width == 375:
            assert page.evaluate("() => document.documentElement.scrollWidth") <= width, page.url
    page.set_viewport_size({"width": 1280, "height": 900})


def test_it_transfers_a_referral_from_one_unit_to_another(page: Any, referral: Any, supervisor: Any,
                                                          outsider_supervisor: Any) -> None:
    login(page, "sara.supervisor")
    page.goto(f"/referrals/{referral.pk}/")
    page.get_by_role("link", name="Transfer or export").click()
    expect(page.get_by_role("heading", name=f"Transfer or export {referral.reference}")).to_be_visible()
    expect(page.get_by_text("the deadline restarts", exact=False)).to_be_visible()
    _accessible(page)
    page.get_by_role("button", name="Request the transfer").click()  # nothing filled in: the errors are named
    expect(page.get_by_role("alert")).to_contain_text("Choose a unit")
    _accessible(page)
    page.get_by_label("Unit to transfer to").select_option(label="Eastvale Test Unit")
    page.get_by_label("Why transfer it").fill("The suspect has moved to Eastvale's area.")
    page.get_by_role("button", name="Request the transfer").click()
    expect(page.get_by_role("heading", name=f"Transfer of {referral.reference}")).to_be_visible()
    expect(page.get_by_text("Awaiting decision")).to_be_visible()
    _accessible(page)
    page.get_by_role("button", name="Sign out").click()

    login(page, "olga.outsider")
    page.get_by_role("link", name="Transfers", exact=True).click()
    expect(page.get_by_role("heading", name="Transfers")).to_be_visible()
    _accessible(page)
    waiting = page.locator("table", has_text="Awaiting your unit's decision")
    waiting.get_by_role("link", name=referral.reference).click()
    expect(page.get_by_role("heading", name="Accept or decline")).to_be_visible()
    _accessible(page)
    page.get_by_label("Accept: our unit takes the referral over").check()
    page.get_by_label("Reason").fill("The address is in our area; we take it on.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("heading", name=f"Referral {referral.reference}")).to_be_visible()
    expect(page.get_by_text("Eastvale Test Unit").first).to_be_visible()
    page.goto("/queue/")
    expect(page.get_by_role("link", name=referral.reference)).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    login(page, "sara.supervisor")
    page.goto(f"/referrals/{referral.pk}/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    page.goto(Transfer.objects.get().get_absolute_url())
    expect(page.get_by_role("heading", name="What Northmoor Test Unit held when it passed the referral on")).to_be_visible()
    expect(page.get_by_text("testy.mcfictional@example.com")).to_be_visible()
    _accessible(page)
