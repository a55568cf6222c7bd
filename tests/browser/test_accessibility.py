"""axe-core (WCAG 2.2 A and AA) on pages every visitor reaches, at desktop and phone widths."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.support import assert_accessible, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.parametrize("width", [1280, 375])
def test_the_sign_in_page_has_no_axe_violation(page: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/login/")
    assert_accessible(page)


def test_axe_finds_a_violation_when_there_is_one(page: Any) -> None:
    """The check can fail: an image without alternative text on the same page is reported."""
    page.goto("/login/")
    page.evaluate("() => document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"x.png\">')")
    assert "image-alt" in {v["id"] for v in axe_violations(page)}
