"""Helpers shared by the browser tests (a module of its own: importing from a conftest is fragile)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def login(page: Any, username: str, password: str = "correct-horse-battery-staple") -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (from npm, never a CDN) on the page as it stands; return its WCAG 2.2 A/AA violations."""
    if not AXE.exists():
        raise AssertionError(f"axe-core is missing at {AXE} (npm ci; `make test` does it)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, not added as an inline <script>: the CSP refuses inline script.
        page.evaluate("(source) => { (0, eval)(source); }", AXE.read_text())
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return list(result["violations"])


WIDTHS = (1280, 375)  # a desktop and a phone (WCAG 2.2 reflow: 320 CSS px; 375 is the common small phone)


def accessibility_problems(page: Any, widths: tuple[int, ...] = WIDTHS) -> list[str]:
    """axe-core's WCAG violations, and any sideways scrolling of the whole page (a wide table must scroll inside its
    own box), at each width; the viewport is put back afterwards. Each line is what a developer fixes: the rule, the
    impact and the first offending nodes. No rule is excused anywhere."""
    before = page.viewport_size or {"width": 1280, "height": 900}
    problems = []
    try:
        for width in widths:
            page.set_viewport_size({"width": width, "height": before["height"]})
            for v in axe_violations(page):
                targets = ", ".join(" ".join(n["target"]) for n in v["nodes"][:3])
                problems.append(f"{page.url} at {width} px: {v['id']} ({v['impact']}), {len(v['nodes'])} node(s): "
                                f"{v['help']} [{targets}]")
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            if wide > width:
                problems.append(f"{page.url} at {width} px: the page is {wide} px wide, so it scrolls sideways")
    finally:
        page.set_viewport_size(before)
    return problems


def assert_accessible(page: Any, widths: tuple[int, ...] = WIDTHS) -> None:
    """Fail on any axe-core violation or sideways scrolling of the page as it stands, at 1280 and 375 px."""
    problems = accessibility_problems(page, widths)
    if problems:
        raise AssertionError(f"{len(problems)} accessibility problem(s):\n" + "\n".join(problems))


def finish_job(page: Any, *, accessible: bool = False) -> None:
    """On an upload's job page, waiting: run the worker's upload jobs in this process; the page (winnow/job.js)
    sees the job finish and reloads itself with the result or the errors."""
    import re

    from playwright.sync_api import expect

    from winnow.worker.tests.support import run_jobs

    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]{36}/$"))
    expect(page.locator("#job-status .govuk-tag")).to_have_text("Waiting")
    if accessible:
        assert_accessible(page)
    run_jobs()
    expect(page.locator("#job-status .govuk-tag")).to_have_text(re.compile("Succeeded|Failed"), timeout=30_000)
