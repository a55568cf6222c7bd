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


def assert_accessible(page: Any) -> None:
    """Fail with each violation's rule, impact and first offending nodes: the message is what a developer fixes."""
    violations = axe_violations(page)
    if violations:
        lines = [f"axe-core: {len(violations)} WCAG violation(s) on {page.url} at {page.viewport_size}"]
        for v in violations:
            targets = ", ".join(" ".join(n["target"]) for n in v["nodes"][:3])
            lines.append(f"- {v['id']} ({v['impact']}), {len(v['nodes'])} node(s): {v['help']} [{targets}]")
        raise AssertionError("\n".join(lines))
