"""Registering a managed offender: the notification period from the sentence, the default visit schedule, and bad
input named field by field with nothing written."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from winnow.audit.models import AuditEvent
from winnow.offenders.models import ManagedOffender, Plan
from winnow.offenders.services import OffenderInputError, offender_register

from .conftest import plan_data, register_form


def test_it_registers_from_a_referral_subject_with_its_notification_period(
        client: Any, referral: Any, offender_manager: Any) -> None:
    client.force_login(offender_manager)
    response = client.post("/offenders/new/", register_form(referral, offender_manager))
    offender = ManagedOffender.objects.get()
    assert response.status_code == 302 and response["Location"] == offender.get_absolute_url()
    assert offender.subject == referral.subjects.get()
    assert offender.notification_ends_on == date(2035, 3, 16) and not offender.notification_indefinite
    plan = offender.current_plan
    assert (plan.visit_every, plan.visit_unit) == (3, "months")  # left empty: the pre-2017 default for high risk
    assert (plan.in_person_every, plan.in_person_unit) == (3, "months")
    assert plan.digital_indicators == ["encryption"] and plan.manager == offender_manager
    assert AuditEvent.objects.filter(action="offender.register", target_id=str(offender.pk)).exists()
    body = client.get(offender.get_absolute_url()).content.decode()
    assert "Ends 16 Mar 2035" in body and "Specialist forensic support needed" in body


def test_it_halves_the_period_for_an_under_18(client: Any, referral: Any, offender_manager: Any) -> None:
    client.force_login(offender_manager)
    client.post("/offenders/new/", register_form(referral, offender_manager, under_18="on"))
    assert ManagedOffender.objects.get().notification_ends_on == date(2030, 3, 16)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"custody_months": None}, "a custodial sentence needs its length"),
    ({"disposal": "conditional_discharge"}, "a conditional discharge needs its period"),
    ({"referral": "NORTH-1999-99999"}, "No referral with this reference"),
    ({"subject_number": 4}, "The referral lists 1 people"),
    ({"mappa_level": 4}, "Select a valid choice"),
    ({"convicted_on": "2099-01-01"}, "is in the future"),
    ({"reason": ""}, "This field is required"),
    ({"digital_indicators": ["telepathy"]}, "Select a valid choice"),
])
def test_it_names_bad_input_and_writes_nothing(client: Any, referral: Any, offender_manager: Any,
                                               overrides: dict[str, Any], message: str) -> None:
    client.force_login(offender_manager)
    response = client.post("/offenders/new/", register_form(referral, offender_manager, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ManagedOffender.objects.exists() and not Plan.objects.exists()


def test_it_refuses_a_manager_who_does_not_manage_offenders(referral: Any, offender_manager: Any,
                                                            handler: Any) -> None:
    with pytest.raises(OffenderInputError) as caught:
        offender_register(actor=offender_manager, subject=referral.subjects.get(), convicted_on=date(2025, 1, 1),
                          disposal="caution", under_18=False, plan=plan_data(handler))
    assert caught.value.problems[0][0] == "manager"
    assert not ManagedOffender.objects.exists()


def test_it_registers_a_subject_only_once(managed: Any, offender_manager: Any) -> None:
    with pytest.raises(OffenderInputError, match="subject: is already a managed offender"):
        offender_register(actor=offender_manager, subject=managed.subject, convicted_on=date(2025, 1, 1),
                          disposal="caution", under_18=False, plan=plan_data(offender_manager))
