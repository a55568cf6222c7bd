"""Answering another unit's request for information in a real browser: Eastvale's new referral links to a Northmoor
referral and Eastvale asks about it; Northmoor's handler finds the request under "Other units", sees Eastvale's
reference and contact (never its case), answers, and Eastvale reads the answer. axe at 1280 px and 375 px."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.support import assert_accessible, login
from winnow.partners.models import Deconfliction, InformationAnswer
from winnow.partners.services import request_send

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _accessible_at_both_widths(page: Any) -> None:
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        if width == 375:
            assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 900})


def test_it_answers_a_request_for_information_from_another_unit(page: Any, referral: Any, handler: Any,
                                                                 units: Any, make_person: Any) -> None:
    from winnow.core.intake import referral_from_mapping
    from winnow.intake.services import canonical_json, referral_record

    east_handler = make_person("edna.easthandler", "east", "handler")
    mapping = {"source": "nca_ceop", "source_reference": "EAST-B-1", "received_at": "2026-11-10T09:00:00+00:00",
               "summary": "Fictional Eastvale summary.", "immediate_danger": False,
               "subjects": [{"role": "reported", "given_names": "Alfie", "family_name": "Fictitious",
                             "identifiers": [{"kind": "email", "value": "testy.mcfictional@example.com"}]}]}
    east = referral_record(actor=east_handler, unit=units["east"], draft=referral_from_mapping(mapping, now=timezone.now()),
                           raw=canonical_json(mapping), media_type="application/json", via="api")
    record = Deconfliction.objects.get(referral=east)
    rfi = request_send(actor=east_handler, record=record, from_unit_id=record.unit_id,
                       question="Is your subject known to have access to children?")

    login(page, "hannah.handler")
    page.get_by_role("link", name="Other units", exact=True).click()
    expect(page.get_by_role("heading", name="Other units", exact=True)).to_be_visible()
    _accessible_at_both_widths(page)
    page.get_by_role("link", name=f"RFI-{rfi.pk}").first.click()
    expect(page.get_by_role("heading", name=f"Request for information RFI-{rfi.pk}")).to_be_visible()
    expect(page.get_by_text(east.reference)).to_be_visible()
    expect(page.get_by_text("edna.easthandler")).to_be_visible()
    expect(page.get_by_text("Alfie")).to_have_count(0)  # Eastvale's subject stays with Eastvale
    _accessible_at_both_widths(page)

    page.get_by_role("button", name="Send the answer").click()  # empty: refused, naming the field
    expect(page.get_by_text("There is a problem")).to_be_visible()
    _accessible_at_both_widths(page)
    page.get_by_label("Your answer").fill("Known to us; the assigned investigator will call you today.")
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_text("Answer sent to Eastvale Test Unit.")).to_be_visible()
    expect(page.get_by_text("Answered", exact=True)).to_be_visible()
    _accessible_at_both_widths(page)
    assert InformationAnswer.objects.get().by == handler

    page.get_by_role("button", name="Sign out").click()
    login(page, "edna.easthandler")
    page.goto(rfi.get_absolute_url())
    expect(page.get_by_text("the assigned investigator will call you today")).to_be_visible()
    expect(page.get_by_role("button", name="Send the answer")).to_have_count(0)
