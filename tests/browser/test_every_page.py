"""axe-core (WCAG 2.2 A/AA) on every page each demo role reaches in a day, at 1280 px and 375 px, on the seeded
demo (so every page has real content: queues, decisions waiting, an exhibit summary, a linkage proposal, offenders,
a victim-identification series, trends, a training attempt, corrections). Pages only a POST reaches (and the
sign-in steps, which test_signin_journey checks) are not walked; nor is the API's Swagger page (third-party).

Also at 375 px: no page is wider than the screen (wide tables scroll inside their own box). Each role's landing page
is saved as a screenshot in docs/screenshots/ (set WINNOW_SCREENSHOTS_DOCS=0 to skip writing them)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.support import accessibility_problems, assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "winnow-demo-only"  # noqa: S105 (the demo's published password)


def _pages() -> dict[str, list[str]]:  # noqa: C901 - one list of pages a role
    from winnow.accounts.models import User
    from winnow.assessments.models import Assessment
    from winnow.linkage.models import LinkProposal, Person
    from winnow.offenders.models import ManagedOffender
    from winnow.referrals.models import Referral
    from winnow.research.views import PAGES as TRENDS
    from winnow.training import modules, services
    from winnow.training.bank import bank
    from winnow.triage.models import CollectionSummary
    from winnow.victimid.models import Series
    from winnow.victimid.services import series_sync

    mine = Referral.objects.filter(unit__code="nmr", assigned_to__username="investigator").open().order_by("pk").first()
    closed = Referral.objects.filter(unit__code="nmr", status="closed").order_by("pk").first()
    waiting = Assessment.objects.filter(referral__unit__code="nmr", band="very_high", decisions__isnull=True).first()
    assert mine is not None and closed is not None and waiting is not None
    subject = waiting.subject
    exhibit = CollectionSummary.objects.get().exhibit
    proposal = LinkProposal.objects.order_by("pk").first()
    person = Person.objects.filter(unit__code="nmr").order_by("pk").first()
    offender = ManagedOffender.objects.order_by("pk").first() or _register(subject)
    assert proposal is not None and person is not None
    # The task worker forms victim-ID series from the demo exhibit's unknown material; no worker runs here.
    series_sync(actor=User.objects.get(username="forensic"))
    series = Series.objects.order_by("pk").first()
    assert series is not None, "the demo exhibit's generated series formed no victim-identification series"
    # A training attempt with one answer different from the reference, so its feedback page has both kinds of row.
    vignette = bank()["pp-03-access-and-grooming"]
    instrument = services.instrument_for(vignette)
    assert instrument is not None
    answers = {item.id: vignette.answer(item.id).answer for item in instrument.items}
    answers["grooming"] = "unknown"
    attempt, _ = services.attempt_record(actor=User.objects.get(username="handler"), vignette=vignette, answers=answers)
    module = next(iter(modules.catalogue()))
    correct = f"/referrals/{mine.pk}/correct/"
    trends = [f"/research/trends/{section}/?unit=nmr" for section in TRENDS]
    return {
        "handler": ["/today/", "/referrals/", f"/referrals/{mine.pk}/", f"/referrals/{closed.pk}/",
                    f"/referrals/subjects/{subject.pk}/", "/referrals/new/", "/referrals/import/",
                    "/referrals/cybertipline/", correct, f"{correct}?fact=immediate_danger",
                    f"{correct}?fact=received_at", f"{correct}?fact=date_of_birth&subject={subject.pk}",
                    f"{correct}?fact=addresses&subject={subject.pk}", "/linkage/proposals/",
                    f"/linkage/proposals/{proposal.pk}/", f"/linkage/people/{person.pk}/",
                    f"/assessments/subjects/{subject.pk}/",
                    f"/assessments/subjects/{subject.pk}/new/phased-prioritisation/", waiting.get_absolute_url(),
                    f"/assessments/subjects/{subject.pk}/youth-pathway/", "/notifications/",
                    "/training/", f"/training/vignettes/{vignette.id}/", f"/training/attempts/{attempt.pk}/",
                    f"/training/modules/{module}/", "/training/double-coding/", "/account/", "/account/password/"],
        "investigator": ["/today/", "/queue/mine/", f"/queue/referrals/{mine.pk}/actions/",
                         f"/referrals/{mine.pk}/close/", f"/research/referrals/{mine.pk}/facts/",
                         f"/validation/referrals/{closed.pk}/outcomes/", "/offenders/", "/notifications/"],
        "supervisor": ["/today/", "/queue/", "/queue/dashboard/", "/queue/forecast/", waiting.get_absolute_url(),
                       f"/assessments/{waiting.pk}/decide/", "/validation/", "/audit/", "/research/?unit=nmr",
                       "/research/trends/concealment/?unit=nmr&period=quarter", "/training/supervision/",
                       "/training/standard/", f"/training/double-coding/{waiting.pk}/", "/victim-id/",
                       f"/victim-id/series/{series.pk}/", f"/offenders/{offender.pk}/plan/",
                       f"/offenders/{offender.pk}/reactive/"],
        "forensic": ["/today/", exhibit.get_absolute_url(), "/triage/hash-sets/",
                     f"/triage/referrals/{exhibit.referral_id}/exhibits/new/", "/victim-id/",
                     f"/victim-id/series/{series.pk}/"],
        "offender.manager": ["/today/", "/offenders/", offender.get_absolute_url(),
                             f"/offenders/{offender.pk}/contacts/new/", f"/offenders/{offender.pk}/reviews/new/",
                             "/offenders/new/"],
        "analyst": ["/today/", "/queue/dashboard/", "/validation/", "/research/?unit=nmr", *trends],
        "administrator": ["/today/", "/tasks/", "/triage/hash-sets/", "/audit/", "/account/"],
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
    problems.extend(f"{who} {problem}" for problem in accessibility_problems(page))


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
    assert checked >= 80
    assert not problems, "\n".join(problems)


def test_a_form_error_is_summarised_focused_and_named_in_the_title(page: Any, handler: Any) -> None:
    login(page, "hannah.handler")
    page.goto("/referrals/new/")
    page.get_by_role("button", name="Record referral").click()
    expect(page).to_have_title(__import__("re").compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link").first).to_be_visible()
    assert_accessible(page)
