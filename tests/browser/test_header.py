"""The shared header at phone and desktop widths: targets big enough (WCAG 2.2 2.5.8), the current page marked."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.support import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_it_passes_axe_with_the_longest_header(page: Any, supervisor: Any) -> None:
    """The supervisor holds the most header entries, so their header wraps the most at 375 px (target-size, WCAG
    2.2 2.5.8, included: nothing is excused)."""
    login(page, "sara.supervisor")
    page.goto("/referrals/")
    assert_accessible(page)  # at 1280 and 375 px, no sideways scrolling


def test_it_marks_the_current_page_in_the_header(page: Any, supervisor: Any) -> None:
    login(page, "sara.supervisor")
    page.goto("/queue/dashboard/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")
    expect(nav.locator("[aria-current]")).to_have_count(1)  # the queue's /queue/ prefix does not also claim it
