"""A page with a form error says so once at the start of its title ("Error: ..."), as GOV.UK asks: base.html adds
the prefix whenever `form.errors` or `errors` is set, so no page adds its own (eight did, and said it twice)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent


def test_no_template_adds_its_own_error_prefix_to_the_title() -> None:
    own = [str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html") if path.name != "base.html"
           and re.search(r"\{% block title %\}[^\n]*Error:", path.read_text(encoding="utf-8"))]
    assert own == []


@pytest.mark.django_db
def test_a_form_page_with_errors_says_error_once(client: Any, handler: Any, referral: Any) -> None:
    client.force_login(handler)
    page = client.post(f"/referrals/{referral.pk}/people/new/", {"reason": ""}).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title is not None and title.group(1).startswith("Error: Add a person")
    assert title.group(1).count("Error:") == 1
