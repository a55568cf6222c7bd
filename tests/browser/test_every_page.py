"""axe-core (WCAG 2.2 A/AA) on every page each demo role reaches in a day, at 1280 px and 375 px, on the seeded
demo (so every page has real content: queues, decisions waiting, an exhibit summary, a linkage proposal, offenders).

Also at 375 px: no page is wider than the screen (wide tables scroll inside their own box). Each role's landing page
is saved as a screenshot in docs/screenshots/ (set WINNOW_SCREENSHOTS_DOCS=0 to skip writing them)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.support import axe_violations, login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "winnow-demo-only"  # noqa: S105 (the demo's published password)


def _pages() -> dict[str, list[str]]:
    from winnow.assessments.models import Assessment
    from winnow.linkage.models import LinkProposal
    from winnow.offenders.models import ManagedOffender
    from winnow.referrals.models import Referral
    from winnow.triage.models import CollectionSummary

    mine = Referral.objects.filter(unit__code="nmr", assigned_to__username="investigator").open().order_by("pk").first()
    waiting = Assessment.objects.filter(referral__unit__code="nmr", band="very_high", decisions__isnull=True).first()
    assert mine is not None and waiting is not None
    subject = waiting.subject
    exhibit = CollectionSummary.objects.get().exhibit
    proposal = LinkProposal.objects.order_by("pk").first()
    offender = ManagedOffender.objects.order_by("pk").first() or _register(subject)
    assert proposal is not None
    return {
        "handler": ["/today/", "/referrals/", f"/referrals/{mine.pk}/", "/referrals/new/", "/referrals/import/",
                    "/referrals/cybertipline/", "/linkage/proposals/", f"/linkage/proposals/{proposal.pk}/",
                    f"/assessments/subjects/{subject.pk}/",
                    f"/assessments/subjects/{subject.pk}/new/phased-prioritisation/", "/notifications/"],
        "investigator": ["/today/", "/queue/mine/", f"/queue/referrals/{mine.pk}/actions/",
                         f"/referrals/{mine.pk}/close/", "/notifications/"],
        "supervisor": ["/today/", "/queue/", "/queue/dashboard/", "/queue/forecast/", waiting.get_absolute_url(),
                       "/validation/", "/audit/", "/safeguarding/", f"/safeguarding/referrals/{mine.pk}/",
                       f"/safeguarding/referrals/{mine.pk}/new/"],
        "forensic": ["/today/", exhibit.get_absolute_url(), "/triage/hash-sets/",
                     f"/triage/referrals/{exhibit.referral_id}/exhibits/new/"],
        "offender.manager": ["/today/", "/offenders/", offender.get_absolute_url(),
                             f"/offenders/{offender.pk}/contacts/new/", f"/offenders/{offender.pk}/reviews/new/",
                             f"/offenders/{offender.pk}/registration/",
                             "/offenders/new/"],
        "analyst": ["/today/", "/queue/dashboard/", "/validation/"],
        "administrator": ["/today/", "/tasks/", "/triage/hash-sets/", "/audit/"],
    }


def _register(subject: Any) -> Any:
    """A small demo has no charged referral to register from: register the waiting subject, seen by phone only."""
    from datetime import timedelta

    from django.utils import timezone

    from winnow.accounts.models import User
    from winnow.offenders.services import contact_record, offender_register

    manager = User.objects.get(username="offender.manager")
    offender = offender_register(
        actor=manager, subject=subject, convicted_on=(timezone.now() - timedelta(days=200)).date(), disposal="custody",
        custody_months=12, under_18=False, now=timezone.now() - timedelta(days=150),
        plan={"risk": "medium", "mappa_category": 1, "mappa_level": 1, "manager": manager, "visit_every": 1,
              "visit_unit": "months", "in_person_every": 3, "in_person_unit": "months", "review_every": 12,
              "review_unit": "months", "digital_indicators": [], "civil_orders": False, "conditions": "",
              "clean_since": None, "reason": "Fictional plan for the accessibility walk."})
    contact_record(actor=manager, offender=offender, occurred_at=timezone.now() - timedelta(days=5), mode="phone",
                   outcome="seen", device_check="not_done", notes="Fictional.", now=timezone.now())
    return offender


def _check(page: Any, problems: list[str], who: str) -> None:
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        for v in axe_violations(page):
            targets = ", ".join(" ".join(n["target"]) for n in v["nodes"][:3])
            problems.append(f"{who} {page.url} at {width}: {v['id']} ({len(v['nodes'])}) [{targets}]")
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        if width == 375 and wide > width:
            problems.append(f"{who} {page.url} at 375: the page is {wide} px wide")


def test_every_page_of_every_role_has_no_axe_violation(page: Any, live_db: Any) -> None:
    call_command("seed-demo", referrals=15, quiet=True)
    pages = _pages()
    problems: list[str] = []
    checked = 0
    for path in ("/login/", "/accessibility/"):
        page.goto(path)
        _check(page, problems, "anonymous")
        checked += 1
    for username, paths in pages.items():
        page.context.clear_cookies()
        login(page, username, PASSWORD)
        expect(page).to_have_url(f"{live_db.url}/today/")
        for path in paths:
            page.set_viewport_size({"width": 1280, "height": 900})
            response = page.goto(path)
            assert response is not None and response.status == 200, f"{username} {path}: {response and response.status}"
            _check(page, problems, username)
            checked += 1
            if path == "/today/" and os.environ.get("WINNOW_SCREENSHOTS_DOCS", "1") == "1":
                DOCS.mkdir(parents=True, exist_ok=True)
                page.set_viewport_size({"width": 1280, "height": 900})
                page.screenshot(path=str(DOCS / f"today-{username.replace('.', '-')}.png"), full_page=True)
    # The forensic officer's day: from the landing page to an exhibit's collection summary.
    page.context.clear_cookies()
    login(page, "forensic", PASSWORD)
    summaries = page.locator("h3", has_text="Collection summaries to read").locator("xpath=following-sibling::ul[1]")
    summaries.get_by_role("link", name="Exhibit EX-1").click()
    expect(page.get_by_role("heading", name="Collection summary")).to_be_visible()
    assert checked >= 20
    assert not problems, "\n".join(problems)


def test_a_form_error_is_summarised_focused_and_named_in_the_title(page: Any, handler: Any) -> None:
    login(page, "hannah.handler")
    page.goto("/referrals/new/")
    page.get_by_role("button", name="Record referral").click()
    expect(page).to_have_title(__import__("re").compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link").first).to_be_visible()
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == []
