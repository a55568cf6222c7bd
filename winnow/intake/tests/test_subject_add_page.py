"""The "Add a person" page: reached from the referral's people section (and its "Nobody named yet" empty state),
the new-referral form's person fields plus the person's part and how they were identified; errors named on their
fields and nothing written; right unit and role only. All people fictional."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from winnow.audit.models import AuditEvent
from winnow.linkage.tests.support import record
from winnow.referrals.models import Status, Subject, SubjectAddition
from winnow.referrals.services import referral_transition

WHY = "Subscriber check on 192.0.2.10 names the account holder (fictional ISP return)."


@pytest.fixture
def nameless(supervisor: Any, units: dict[str, Any]) -> Any:
    return record(supervisor, units["north"], subjects=[], reference="CT-NOBODY-2")


def url(referral: Any) -> str:
    return reverse("intake:add-subject", args=[referral.pk])


def form(**overrides: Any) -> dict[str, str]:
    data = {
        "subject_role": "reported", "subject_given_names": "Addy", "subject_family_name": "Laterfound",
        "subject_date_of_birth-day": "2", "subject_date_of_birth-month": "6", "subject_date_of_birth-year": "1985",
        "subject_sex": "male", "subject_addresses": "2 Example Road, Testtown",
        "identifier_0_kind": "ip", "identifier_0_value": "192.0.2.10", "identifier_0_observed_at": "2026-11-01 21:40",
        "identifier_1_kind": "email", "identifier_1_value": "addy.laterfound@example.com",
        "reason": WHY,
    }
    data.update(overrides)
    return data


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_empty_state_says_nobody_is_named_and_links_to_the_page(nameless: Any, handler: Any) -> None:
    body = signed_in(handler).get(nameless.get_absolute_url()).content.decode()
    assert "Nobody named yet." in body
    assert f'href="{url(nameless)}">Add a person</a>' in body


def test_a_referral_with_people_links_to_the_page_too(referral: Any, handler: Any, analyst: Any) -> None:
    assert f'href="{url(referral)}">Add a person</a>' in signed_in(handler).get(referral.get_absolute_url()).content.decode()
    assert url(referral) not in signed_in(analyst).get(referral.get_absolute_url()).content.decode()


def test_a_handler_adds_a_person_who_can_then_be_assessed(nameless: Any, handler: Any) -> None:
    client = signed_in(handler)
    page = client.get(url(nameless))
    assert page.status_code == 200 and "Nobody is named on this referral yet." in page.content.decode()
    response = client.post(url(nameless), form())
    subject = Subject.objects.get(referral=nameless)
    assert response.status_code == 302 and response["Location"] == f"{nameless.get_absolute_url()}#person-{subject.pk}"
    assert sorted(subject.identifiers.values_list("normalised", flat=True)) == [
        "192.0.2.10", "addy.laterfound@example.com"]
    assert SubjectAddition.objects.get().reason == WHY
    body = client.get(nameless.get_absolute_url()).content.decode()
    assert "Addy Laterfound added to" in body and "Nobody named yet" not in body
    assert "after intake, by hannah.handler" in body and WHY in body  # on the person's card
    assert "Person added" in body  # the timeline
    assert reverse("assessments:subject", args=[subject.pk]) in body  # the usual "Assess" link
    assert AuditEvent.objects.filter(action="referral.read", target_id=str(nameless.pk),
                                     detail__page="add a person").exists()


def test_an_investigator_may_add_a_person(nameless: Any, investigator: Any) -> None:
    assert signed_in(investigator).post(url(nameless), form()).status_code == 302
    assert Subject.objects.filter(referral=nameless).count() == 1


@pytest.mark.parametrize(("who", "status"), [("outsider", 404), ("outsider_supervisor", 404), ("analyst", 403),
                                             ("forensic", 403)])
def test_another_unit_gets_404_and_a_role_that_does_not_correct_intake_403(
        who: str, status: int, nameless: Any, request: Any) -> None:
    client = signed_in(request.getfixturevalue(who))
    assert client.get(url(nameless)).status_code == status
    assert client.post(url(nameless), form()).status_code == status
    assert not Subject.objects.filter(referral=nameless).exists()


def test_anonymous_is_sent_to_sign_in(nameless: Any) -> None:
    response = Client().post(url(nameless), form())
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not Subject.objects.exists()


def test_a_closed_referral_offers_no_form(nameless: Any, handler: Any, supervisor: Any) -> None:
    referral_transition(actor=supervisor, referral=nameless, to_status=Status.CLOSED, disposition="duplicate",
                        reason="Duplicate of a fictional earlier report.")
    client = signed_in(handler)
    response = client.post(url(nameless), form(), follow=True)
    assert "is closed: people are not added to a closed referral" in response.content.decode()
    assert url(nameless) not in response.content.decode()
    assert not Subject.objects.exists()


@pytest.mark.parametrize(("overrides", "field", "says"), [
    ({"reason": ""}, "reason", "Say how this person was identified"),
    ({"subject_role": ""}, "subject_role", "Choose the person&#x27;s part in the referral"),
    ({"subject_role": "ringleader"}, "subject_role", "Choose one of the parts listed"),
    ({"subject_family_name": "L" * 100_000}, "subject_family_name", "at most 200 characters"),
    ({"reason": "R" * 6000}, "reason", "at most 5000 characters"),
    ({"subject_date_of_birth-year": "2999"}, "subject_date_of_birth", "is in the future"),
    ({"subject_date_of_birth-year": "0"}, "subject_date_of_birth", "Year must include 4 numbers"),
    ({"subject_date_of_birth-year": "0000"}, "subject_date_of_birth", ""),
    ({"subject_addresses": "<b>2 Example Road</b>"}, "subject_addresses", "markup"),
    ({"identifier_1_value": "not-an-email"}, "identifier_1_value", ""),
    ({"identifier_0_observed_at": "yesterday"}, "identifier_0_observed_at", ""),
])
def test_bad_answers_are_named_on_their_fields_and_nothing_is_written(
        overrides: dict[str, str], field: str, says: str, nameless: Any, handler: Any) -> None:
    response = signed_in(handler).post(url(nameless), form(**overrides))
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body and says in body
    assert field in response.context["form"].errors, response.context["form"].errors
    assert not Subject.objects.exists() and not SubjectAddition.objects.exists()
    assert not AuditEvent.objects.filter(action="referral.subject_add").exists()


def test_an_empty_person_is_refused(nameless: Any, handler: Any) -> None:
    blank = {key: "" for key in form() if key not in ("subject_role", "subject_sex", "reason")}
    response = signed_in(handler).post(url(nameless), form(**blank))
    assert response.status_code == 200 and "give at least a name" in response.content.decode()
    assert not Subject.objects.exists()


def test_a_nul_byte_is_refused_before_the_view_naming_the_field(nameless: Any, handler: Any) -> None:
    response = signed_in(handler).post(url(nameless), form(subject_given_names="Ad\x00dy"))
    assert response.status_code == 400 and "subject_given_names" in response.content.decode()
    assert not Subject.objects.exists()
