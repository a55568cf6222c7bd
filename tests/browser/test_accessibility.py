"""axe-core (WCAG 2.2 A and AA) on pages every visitor reaches, at desktop and phone widths."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.support import assert_accessible, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_sign_in_page_has_no_axe_violation(page: Any) -> None:
    page.goto("/login/")
    assert_accessible(page)  # at 1280 and 375 px


def test_axe_finds_a_violation_when_there_is_one(page: Any) -> None:
    """The check can fail: an image without alternative text on the same page is reported."""
    page.goto("/login/")
    page.evaluate("() => document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"x.png\">')")
    assert "image-alt" in {v["id"] for v in axe_violations(page)}


def test_the_check_fails_when_the_page_scrolls_sideways_on_a_phone(page: Any) -> None:
    """A block wider than a phone (set through the CSSOM, which the CSP allows) fails at 375 px, not at 1280."""
    page.goto("/login/")
    page.evaluate("() => { const d = document.createElement('div'); d.textContent = 'wide'; d.style.width = '600px';"
                  " document.querySelector('main').append(d); }")
    with pytest.raises(AssertionError, match="at 375 px: the page is 6") as failed:
        assert_accessible(page)
    assert "at 1280 px" not in str(failed.value)
    assert page.viewport_size == {"width": 1280, "height": 900}  # put back
