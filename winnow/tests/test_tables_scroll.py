"""Every table in a template sits directly inside a `winnow-table-scroll` region, so a table wider than a phone
scrolls inside its own box instead of widening the page (issue 15; the browser walk checks the pages it reaches,
this checks the tables no demo data fills)."""

from __future__ import annotations

import re
from pathlib import Path

WINNOW = Path(__file__).resolve().parents[1]


def _unwrapped(text: str) -> list[int]:
    lines = []
    for match in re.finditer(r"<table\b", text):
        before = text[: match.start()]
        opening = before.rfind("<div")
        tag = before[opening : before.find(">", opening) + 1] if opening >= 0 else ""
        if "winnow-table-scroll" not in tag or "</div>" in before[opening:]:
            lines.append(before.count("\n") + 1)
    return lines


def test_it_finds_a_bare_table() -> None:
    assert _unwrapped('<div class="govuk-body"><table class="govuk-table"></table></div>') == [1]
    assert _unwrapped('<div class="winnow-table-scroll"></div>\n<table></table>') == [2]
    assert _unwrapped('<div class="winnow-table-scroll" tabindex="0">{% if x %}<table></table></div>') == []


def test_every_template_table_scrolls_inside_its_own_box() -> None:
    templates = [p for p in WINNOW.rglob("templates/**/*.html") if "admin" not in p.parts]
    assert len(templates) > 50
    bare = [f"{p.relative_to(WINNOW)}:{line}" for p in templates for line in _unwrapped(p.read_text())]
    assert not bare, "wrap these tables in <div class=\"winnow-table-scroll\" tabindex=\"0\" role=\"region\" " \
                     f"aria-label=\"...\">: {bare}"
