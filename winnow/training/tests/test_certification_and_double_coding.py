"""Certification warnings on live results, and blind double-coding of a share of live assessments."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from winnow.assessments.services import assessment_record
from winnow.training import services
from winnow.training.models import SecondCoding

GROOMING_WITH_ACCESS = {"lives_with_children": "yes", "grooming": "yes", "prior_contact_offence": "no"}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _assess(referral: Any, user: Any) -> Any:
    return assessment_record(actor=user, subject=referral.subjects.get(), instrument_id="phased-prioritisation",
                             answers=GROOMING_WITH_ACCESS)


def test_an_uncertified_assessors_result_says_so_and_a_certified_ones_does_not(
        referral: Any, handler: Any, certified_handler: Any, supervisor: Any) -> None:
    first = _assess(referral, handler)
    page = _client(supervisor).get(reverse("assessments:detail", args=[first.pk])).content.decode()
    assert "hannah.handler when they were not certified for phased-prioritisation 0.2.0" in page
    decide = _client(supervisor).get(reverse("assessments:decide", args=[first.pk])).content.decode()
    assert "not certified" in decide
    report = _client(supervisor).get(reverse("training:supervision")).content.decode()
    assert "Live assessments by uncertified assessors" in report and referral.reference in report
    second = _assess(referral, certified_handler)  # a re-assessment by a certified officer supersedes the first
    page = _client(supervisor).get(reverse("assessments:detail", args=[second.pk])).content.decode()
    assert "not certified" not in page
    report = _client(supervisor).get(reverse("training:supervision")).content.decode()
    assert "Live assessments by uncertified assessors" not in report


def test_the_warning_is_not_a_block(referral: Any, handler: Any) -> None:
    assessment = _assess(referral, handler)
    assert assessment.band == "very_high"


def test_the_choice_of_live_cases_is_stable_and_close_to_the_share() -> None:
    class Fake:
        def __init__(self, pk: int) -> None:
            self.pk = pk

    chosen = [services.selected_for_double_coding(Fake(pk), 0.05) for pk in range(1, 20001)]
    assert 0.045 < sum(chosen) / len(chosen) < 0.055
    assert chosen == [services.selected_for_double_coding(Fake(pk), 0.05) for pk in range(1, 20001)]
    assert not any(services.selected_for_double_coding(Fake(pk), 0.0) for pk in range(1, 200))
    assert all(services.selected_for_double_coding(Fake(pk), 1.0) for pk in range(1, 200))


@pytest.fixture
def everything_double_coded(supervisor: Any, units: dict[str, Any]) -> None:
    services.standard_set(actor=supervisor, unit=units["north"], min_item_agreement=0.85, min_band_exact=0.8,
                          min_vignettes=6, refresher_months=12, double_coding_share=1.0)


def test_a_certified_second_assessor_codes_blind_and_the_first_result_is_unchanged(
        referral: Any, handler: Any, certified_handler: Any, supervisor: Any, everything_double_coded: None) -> None:
    first = _assess(referral, handler)
    client = _client(certified_handler)
    offers = client.get(reverse("training:double-coding")).content.decode()
    assert reverse("training:second-coding", args=[first.pk]) in offers
    form = client.get(reverse("training:second-coding", args=[first.pk])).content.decode()
    assert "Very High" not in form  # blind: neither the first band nor the first answers are on the page
    # ... and the referral's facts are, so the second assessor need not open the referral page (which shows its band)
    assert referral.summary.splitlines()[0] in form and first.subject.display_name in form
    assert "To keep this coding blind" in form
    answers = {f"answer_{item}": "no" for item in first.answers}
    answers.update(answer_sexual_convictions="0", answer_lives_with_children="yes")
    response = client.post(reverse("training:second-coding", args=[first.pk]), answers)
    assert response.status_code == 302
    second = SecondCoding.objects.get()
    assert second.band == "medium" and second.created_by == certified_handler
    first.refresh_from_db()
    assert first.band == "very_high"
    referral.refresh_from_db()
    report = _client(supervisor).get(reverse("training:supervision")).content.decode()
    assert "1 live case double-coded" in report
    assert reverse("training:second-coding", args=[first.pk]) not in client.get(reverse("training:double-coding")).content.decode()


def test_the_first_assessor_and_uncertified_officers_are_not_offered_it(
        referral: Any, handler: Any, make_person: Any, everything_double_coded: None) -> None:
    first = _assess(referral, handler)
    assert reverse("training:second-coding", args=[first.pk]) not in _client(handler).get(
        reverse("training:double-coding")).content.decode()
    other = make_person("una.uncertified", "north", "handler")
    response = _client(other).post(reverse("training:second-coding", args=[first.pk]), {"answer_grooming": "yes"})
    assert response.status_code == 200 and "only an assessor certified" in response.content.decode()
    assert SecondCoding.objects.count() == 0


def test_another_units_assessor_gets_nothing(referral: Any, handler: Any, outsider: Any,
                                             everything_double_coded: None) -> None:
    from .conftest import certify

    certify(outsider)
    first = _assess(referral, handler)
    client = _client(outsider)
    assert reverse("training:second-coding", args=[first.pk]) not in client.get(
        reverse("training:double-coding")).content.decode()
    assert client.get(reverse("training:second-coding", args=[first.pk])).status_code == 404
    assert client.post(reverse("training:second-coding", args=[first.pk]), {}).status_code == 404
    assert SecondCoding.objects.count() == 0


def test_double_coding_pages_need_sign_in(db: Any) -> None:
    response = Client().get(reverse("training:second-coding", args=[1]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_second_coding_is_shown_beside_the_first_where_the_supervisor_decides(
        referral: Any, handler: Any, certified_handler: Any, supervisor: Any, everything_double_coded: None) -> None:
    first = _assess(referral, handler)
    assert "blind second coding" not in _client(supervisor).get(
        reverse("assessments:decide", args=[first.pk])).content.decode()
    answers = {item: "no" for item in first.answers} | {"sexual_convictions": "0", "lives_with_children": "yes"}
    services.second_coding_record(actor=certified_handler, assessment=first, answers=answers)
    for name in ("assessments:detail", "assessments:decide"):
        page = _client(supervisor).get(reverse(name, args=[first.pk])).content.decode()
        assert "A blind second coding by cara.certified" in page and "gives Medium" in page, name
        # the first left ten items Unknown that the second answered No, and said Yes to grooming
        assert "the answers differ on 12 items: access_children_known," in page and ", grooming," in page
        assert "It changes no band" in page
    first.refresh_from_db()
    assert first.band == "very_high"


def test_a_new_instrument_version_needs_new_certification(certified_handler: Any) -> None:
    from types import SimpleNamespace

    from django.utils import timezone

    now = timezone.now()
    assert services.certification(certified_handler, "phased-prioritisation", "0.2.0", now=now).certified
    assert not services.certification(certified_handler, "phased-prioritisation", "0.3.0", now=now).certified
    on = {version: SimpleNamespace(instrument_id="phased-prioritisation", instrument_version=version,
                                   created_by=certified_handler, created_at=now) for version in ("0.2.0", "0.3.0")}
    assert services.uncertified_warning(on["0.2.0"]) == ""
    warning = services.uncertified_warning(on["0.3.0"])
    assert "phased-prioritisation 0.3.0, which has no training vignettes yet (the bank has 0.2.0)" in warning
    assert "A new version needs new certification" in warning
    casic = SimpleNamespace(instrument_id="casic", instrument_version="1.0.0", created_by=certified_handler,
                            created_at=now)
    assert services.uncertified_warning(casic) == ""  # not an instrument Winnow trains on
