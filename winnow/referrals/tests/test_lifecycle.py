from __future__ import annotations

from typing import Any

import pytest

from winnow.referrals.models import IllegalTransition, Status
from winnow.referrals.services import referral_transition


def test_it_moves_forward_through_the_lifecycle(referral: Any, supervisor: Any) -> None:
    for status in [Status.ASSESSMENT, Status.AWAITING_ACTION, Status.IN_ACTION]:
        referral_transition(actor=supervisor, referral=referral, to_status=status)
        assert referral.status == status
    referral_transition(actor=supervisor, referral=referral, to_status=Status.CLOSED,
                        disposition="charged", reason="Charged with fictional offences.")
    assert referral.status == Status.CLOSED
    assert [c.to_status for c in referral.status_changes.all()] == [
        "assessment", "awaiting_action", "in_action", "closed"]


@pytest.mark.parametrize("target", [Status.AWAITING_ACTION, Status.IN_ACTION, Status.RECEIVED, "bogus"])
def test_it_refuses_skipping_or_going_back(referral: Any, supervisor: Any, target: str) -> None:
    with pytest.raises(IllegalTransition):
        referral_transition(actor=supervisor, referral=referral, to_status=target)
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED
    assert not referral.status_changes.exists()


@pytest.mark.parametrize(("disposition", "reason"), [("", "A reason"), ("charged", ""), ("charged", "   "), ("made-up", "x")])
def test_it_needs_a_disposition_and_a_reason_to_close(referral: Any, supervisor: Any, disposition: str, reason: str) -> None:
    with pytest.raises(IllegalTransition):
        referral_transition(actor=supervisor, referral=referral, to_status=Status.CLOSED,
                            disposition=disposition, reason=reason)
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED


def test_it_never_moves_a_closed_referral(referral: Any, supervisor: Any) -> None:
    referral_transition(actor=supervisor, referral=referral, to_status=Status.CLOSED,
                        disposition="duplicate", reason="Duplicate of a fictional earlier referral.")
    for target in Status.values:
        with pytest.raises(IllegalTransition):
            referral_transition(actor=supervisor, referral=referral, to_status=target,
                                disposition="charged", reason="again")


def test_it_closes_through_the_page_with_disposition_and_reason(client: Any, supervisor: Any, referral: Any) -> None:
    client.force_login(supervisor)
    url = f"/referrals/{referral.pk}/close/"
    page = client.get(url).content.decode()
    assert 'type="radio"' in page and " checked" not in page  # no outcome preselected: a person chooses
    response = client.post(url, {"disposition": "", "reason": ""})
    assert response.status_code == 200 and "Choose the outcome" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED
    # Until its band is decided, only a duplicate or a transfer closes it.
    response = client.post(url, {"disposition": "nfa", "reason": "Fictional: insufficient evidence."})
    assert response.status_code == 200 and "decides its band before it closes" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED
    for status in (Status.ASSESSMENT, Status.AWAITING_ACTION):
        referral_transition(actor=supervisor, referral=referral, to_status=status)
    response = client.post(url, {"disposition": "nfa", "reason": "Fictional: insufficient evidence."})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.disposition) == (Status.CLOSED, "nfa")


def test_it_reports_an_illegal_move_on_the_page_without_changing_anything(client: Any, supervisor: Any, referral: Any) -> None:
    client.force_login(supervisor)
    response = client.post(f"/referrals/{referral.pk}/transition/", {"to": "in_action"}, follow=True)
    assert response.status_code == 200
    assert "cannot move from Received to In action" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED


def test_it_puts_form_errors_on_the_fields_they_are_about(client: Any, handler: Any, units: Any) -> None:
    from winnow.referrals.models import Referral

    client.force_login(handler)
    response = client.post("/referrals/new/", {
        "unit": units["north"].pk, "source": "ncmec", "received_at": "2026-11-20T10:00", "summary": "Fictional.",
        "immediate_danger": "no", "subject_given_names": "=cmd", "subject_sex": "unknown",
        "identifier_0_kind": "", "identifier_2_kind": "email", "identifier_2_value": "not-an-email",
    })
    form = response.context["form"]
    assert "formula" in form.errors["subject_given_names"][0]
    assert "email" in form.errors["identifier_2_value"][0]
    assert not Referral.objects.exists()


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.ASSESSMENT])
def test_it_refuses_closing_before_the_band_is_decided_except_as_a_duplicate_or_transfer(
    referral: Any, supervisor: Any, status: str
) -> None:
    if status == Status.ASSESSMENT:
        referral_transition(actor=supervisor, referral=referral, to_status=status)
    with pytest.raises(IllegalTransition, match="decides its band"):
        referral_transition(actor=supervisor, referral=referral, to_status=Status.CLOSED, disposition="charged",
                            reason="Fictional.")
    referral_transition(actor=supervisor, referral=referral, to_status=Status.CLOSED, disposition="transferred",
                        reason="Passed to a fictional neighbouring force.")
    assert referral.status == Status.CLOSED
