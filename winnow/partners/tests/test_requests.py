"""Requests for information between the two units of a link: sent, answered once, overdue, audited; and every page
and action refused to the other unit, the wrong role and anonymous."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from winnow.audit.models import AuditEvent
from winnow.notifications.models import Notification
from winnow.partners.models import InformationAnswer, InformationRequest
from winnow.partners.services import PartnersInputError, request_answer, request_send


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rfi(linked: Any, east_handler: Any) -> Any:
    return request_send(actor=east_handler, record=linked, from_unit_id=linked.unit_id,
                        question="Is your subject currently managed, and who is the contact?")


def test_it_sends_and_answers_a_request_on_the_pages(linked: Any, east_handler: Any, handler: Any) -> None:
    east = _client(east_handler)
    page = east.get(linked.get_absolute_url()).content.decode()
    assert linked.other_referral.reference in page and "hannah.handler" in page
    assert "Testy" not in page and "McFictional" not in page  # the other unit's subject stays with it
    response = east.post(f"/partners/{linked.pk}/requests/new/", {"question": "Any current address?"})
    rfi = InformationRequest.objects.get()
    assert response.status_code == 302 and response.url == rfi.get_absolute_url()
    assert (rfi.from_unit_id, rfi.to_unit_id) == (linked.unit_id, linked.other_unit_id)
    assert rfi.due_on == timezone.localdate() + timedelta(days=5)
    assert Notification.objects.filter(recipient=handler, link=rfi.get_absolute_url()).exists()
    north = _client(handler)
    assert "RFI-" in north.get("/partners/").content.decode()
    response = north.post(rfi.get_absolute_url(), {"answer": "Known; contact the offender manager."})
    assert response.status_code == 302
    assert InformationAnswer.objects.get().answer == "Known; contact the offender manager."
    assert "Known; contact the offender manager." in east.get(rfi.get_absolute_url()).content.decode()
    assert Notification.objects.filter(recipient=east_handler, message__contains="answered").exists()
    assert set(AuditEvent.objects.filter(action="information.answer").values_list("unit_id", flat=True)) == {
        linked.unit_id, linked.other_unit_id}


def test_it_refuses_a_second_answer_an_empty_one_and_a_past_deadline(rfi: Any, linked: Any, handler: Any,
                                                                     east_handler: Any) -> None:
    with pytest.raises(PartnersInputError, match="answer"):
        request_answer(actor=handler, rfi=rfi, answer="  ")
    request_answer(actor=handler, rfi=rfi, answer="Yes.")
    with pytest.raises(PartnersInputError, match="already been answered"):
        request_answer(actor=handler, rfi=rfi, answer="Again.")
    with pytest.raises(PartnersInputError, match="due_on"):
        request_send(actor=east_handler, record=linked, from_unit_id=linked.unit_id, question="Q?",
                     due_on=date(2020, 1, 1))
    response = _client(handler).post(rfi.get_absolute_url(), {"answer": "Third."})
    assert response.status_code == 403
    assert InformationAnswer.objects.count() == 1


def test_it_shows_an_unanswered_request_as_overdue_after_its_deadline(rfi: Any, handler: Any) -> None:
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        assert InformationRequest.objects.overdue(timezone.localdate()).get() == rfi
        assert "Overdue" in _client(handler).get("/partners/").content.decode()


def test_the_asker_cannot_answer_its_own_request(rfi: Any, east_handler: Any) -> None:
    response = _client(east_handler).post(rfi.get_absolute_url(), {"answer": "Answering myself."})
    assert response.status_code == 403
    with pytest.raises(PartnersInputError, match="only Northmoor"):
        request_answer(actor=east_handler, rfi=rfi, answer="x")


def test_personas_a_third_unit_sees_nothing(rfi: Any, linked: Any, units: Any) -> None:
    from winnow.accounts.models import Membership, Unit, User

    west = Unit.objects.create(code="west", name="Westmarch Test Unit")
    stranger = User.objects.create_user(username="walt.west")
    Membership.objects.create(user=stranger, unit=west, role="supervisor")
    client = _client(stranger)
    for url in (linked.get_absolute_url(), rfi.get_absolute_url()):
        assert client.get(url).status_code == 404
    assert client.post(f"/partners/{linked.pk}/requests/new/", {"question": "?"}).status_code == 404
    assert client.post(rfi.get_absolute_url(), {"answer": "?"}).status_code == 404
    assert "RFI-" not in client.get("/partners/").content.decode()
    assert not AuditEvent.objects.filter(actor=stranger).exclude(action="partners.list").exists()


def test_personas_the_wrong_role_reads_but_cannot_ask_or_answer(rfi: Any, linked: Any, analyst: Any,
                                                                 east_analyst: Any) -> None:
    north, east = _client(analyst), _client(east_analyst)
    assert north.get("/partners/").status_code == 403
    page = north.get(rfi.get_absolute_url())
    assert page.status_code == 200 and "Send the answer" not in page.content.decode()
    assert north.post(rfi.get_absolute_url(), {"answer": "No."}).status_code == 403
    assert "Send the request" not in east.get(linked.get_absolute_url()).content.decode()
    assert east.post(f"/partners/{linked.pk}/requests/new/", {"question": "?"}).status_code == 403
    assert not InformationAnswer.objects.exists() and InformationRequest.objects.count() == 1


def test_personas_anonymous_is_sent_to_sign_in(rfi: Any, linked: Any) -> None:
    client = Client()
    for url in ("/partners/", linked.get_absolute_url(), rfi.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url
    assert client.post(f"/partners/{linked.pk}/requests/new/", {"question": "?"}).status_code == 302
    assert InformationRequest.objects.count() == 1


def test_it_refuses_a_bad_request_form_naming_the_field(linked: Any, east_handler: Any) -> None:
    response = _client(east_handler).post(f"/partners/{linked.pk}/requests/new/", {"question": ""})
    assert response.status_code == 400 and "What do you need to know?" in response.content.decode()
    assert not InformationRequest.objects.exists()
