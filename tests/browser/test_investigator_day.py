"""The investigator's day (issue 15): a decided referral assigned to them is in My work; they log an arrest and the
status moves to In action; they close it, choosing the outcome themselves (nothing is preselected). axe-core on My
work, the case-action page and the close page at 1280 and 375 px."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.support import login
from tests.browser.test_provisional_journey import _check_widths, _referral
from winnow.referrals.models import Disposition, Status
from winnow.referrals.services import referral_advance, referral_apply_band
from winnow.workload.services import referrals_assign

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_an_investigator_works_a_referral_from_my_work_to_closed(
    page: Any, handler: Any, supervisor: Any, investigator: Any, units: Any,
) -> None:
    mine = _referral(handler, units["north"], 31, 2, given="Dayla")
    referral_apply_band(actor=supervisor, referral=mine, band="very_high", decided_at=timezone.now(), why="browser")
    with transaction.atomic():
        referral_advance(actor=supervisor, referral=mine, to_status=Status.AWAITING_ACTION, why="band decided (browser)")
    referrals_assign(actor=supervisor, referrals=[mine], assignee=investigator)
    elsewhere = _referral(handler, units["north"], 32, 1, given="Notmine")  # not assigned: not in My work

    page.goto("/login/", timeout=60_000)  # the first page of a session can be slow on a loaded machine
    login(page, "ivan.investigator")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My work").click()
    rows = page.locator("table.winnow-queue tbody tr")
    expect(rows.first).to_contain_text(mine.reference)
    expect(page.locator("table.winnow-queue")).not_to_contain_text(elsewhere.reference)
    _check_widths(page, page.url)

    page.goto(f"/queue/referrals/{mine.pk}/actions/")
    _check_widths(page, page.url)
    page.get_by_label("Action", exact=True).select_option("arrest")
    now = timezone.localtime()
    group = page.get_by_role("group", name="When")
    for label, value in zip(("Day", "Month", "Year", "Hour", "Minute"),
                            (now.day, now.month, now.year, now.hour, now.minute), strict=True):
        group.get_by_label(label, exact=True).fill(str(value))
    page.get_by_role("button", name="Record action").click()
    expect(page.locator("table.govuk-table").first).to_contain_text("Arrest")
    mine.refresh_from_db()
    assert mine.status == Status.IN_ACTION and mine.actioned_at is not None

    page.goto(f"/referrals/{mine.pk}/close/")
    _check_widths(page, page.url)
    radios = page.get_by_role("group", name="Outcome").get_by_role("radio")
    assert radios.count() == len(Disposition.choices)
    assert not any(radios.nth(i).is_checked() for i in range(radios.count())), "an outcome was preselected"
    page.get_by_label("Reason").fill("Fictional: charged after interview.")
    page.get_by_role("button", name="Close referral").click()  # no outcome chosen: refused, nothing written
    expect(page.get_by_role("alert")).to_contain_text("Choose the outcome")
    mine.refresh_from_db()
    assert mine.status == Status.IN_ACTION
    page.get_by_role("group", name="Outcome").get_by_label("Charged").check()
    page.get_by_label("Reason").fill("Fictional: charged after interview.")
    page.get_by_role("button", name="Close referral").click()
    mine.refresh_from_db()
    assert (mine.status, mine.disposition) == (Status.CLOSED, Disposition.CHARGED)
    expect(page.get_by_text("Closed").first).to_be_visible()
