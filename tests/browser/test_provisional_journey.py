"""The handler's assessment computes Very High: the supervisor sees it near the top of the queue, tagged "awaiting
decision", and decides it; the status moves. A danger correction re-prioritises another referral at once. axe-core
on the queue, the referral, the correction page and the close page, at 1280 and 375 px."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.support import assert_accessible, login
from winnow.assessments.services import assessment_record
from winnow.core.intake import referral_from_mapping
from winnow.intake.services import canonical_json, referral_record
from winnow.referrals.models import Referral, Status
from winnow.referrals.services import referral_apply_band

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
VERY_HIGH = {"lives_with_children": "yes", "grooming": "yes", "prior_contact_offence": "no"}


def _referral(handler: Any, unit: Any, n: int, days_ago: float, given: str = "") -> Any:
    now = timezone.now()
    mapping = {"source": "ncmec", "source_reference": f"CT-P-{n}", "summary": f"Fictional provisional referral {n}.",
               "received_at": (now - timedelta(days=days_ago)).isoformat(), "immediate_danger": False,
               "subjects": [{"role": "reported", "given_names": given, "family_name": "Fictional",
                             "date_of_birth": "1979-05-01", "sex": "male"}] if given else []}
    return referral_record(actor=handler, unit=unit, draft=referral_from_mapping(mapping, now=now),
                           raw=canonical_json(mapping), media_type="application/json", via="api")


def _check_widths(page: Any, url: str) -> None:
    page.goto(url)
    assert_accessible(page)  # at 1280 and 375 px, and no sideways scrolling at either


def test_a_computed_very_high_leads_the_supervisors_queue_until_decided(
    page: Any, handler: Any, supervisor: Any, units: Any
) -> None:
    page.goto("/login/", timeout=60_000)  # the first page of a session can be slow on a loaded machine
    login(page, "sara.supervisor")
    for n in range(1, 6):
        other = _referral(handler, units["north"], n, 1 + n * 0.1)
        referral_apply_band(actor=handler, referral=other, band="high", decided_at=timezone.now(), why="browser")
    urgent = _referral(handler, units["north"], 9, 0.5, given="Provo")
    assessment = assessment_record(actor=handler, subject=urgent.subjects.get(), instrument_id="phased-prioritisation",
                                   answers=VERY_HIGH)

    page.goto("/queue/")
    first_row = page.locator("table.winnow-queue tbody tr").first
    expect(first_row).to_contain_text(urgent.reference)
    expect(first_row).to_contain_text("Awaiting decision")
    expect(first_row).to_contain_text("computed by hannah.handler")
    expect(first_row).to_contain_text("Provo Fictional")
    expect(page.locator("#decisions-waiting")).to_contain_text(urgent.reference)
    _check_widths(page, "/queue/")

    page.locator("#decisions-waiting").get_by_role("link", name=urgent.reference).click()
    _check_widths(page, urgent.get_absolute_url())
    page.goto(f"/assessments/{assessment.pk}/decide/")
    page.get_by_label("Confirm the computed band").check()
    page.get_by_label("Rationale").fill("Agreed: rule 2a fits the fictional facts.")
    page.get_by_role("button", name="Record decision").click()
    urgent.refresh_from_db()
    assert (urgent.band_provisional, urgent.status) == (False, Status.AWAITING_ACTION)
    page.goto("/queue/")
    expect(page.locator("table.winnow-queue tbody tr").first).not_to_contain_text("Awaiting decision")

    _check_widths(page, f"/referrals/{urgent.pk}/close/")


def test_a_danger_correction_lifts_a_referral_to_the_top(page: Any, handler: Any, supervisor: Any, units: Any) -> None:
    top = _referral(handler, units["north"], 1, 1)
    referral_apply_band(actor=handler, referral=top, band="very_high", decided_at=timezone.now(), why="browser")
    quiet = _referral(handler, units["north"], 2, 0.2, given="Quiet")

    page.goto("/login/", timeout=60_000)
    login(page, "hannah.handler")
    _check_widths(page, f"/referrals/{quiet.pk}/correct/")
    page.get_by_role("link", name="Child believed to be in immediate danger").click()
    _check_widths(page, page.url)
    page.get_by_role("group", name="Is a child believed to be in immediate danger?").get_by_label("Yes").check()
    page.get_by_label("Why is the recorded value wrong?").fill("The referrer phoned: the child lives there (fictional).")
    page.get_by_role("button", name="Record the correction").click()
    expect(page.get_by_text("corrected to Yes")).to_be_visible()
    assert list(Referral.objects.queue().values_list("pk", flat=True))[0] == quiet.pk
    page.goto("/queue/")
    first_row = page.locator("table.winnow-queue tbody tr").first
    expect(first_row).to_contain_text(quiet.reference)
    expect(first_row).to_contain_text("Child in immediate danger")
