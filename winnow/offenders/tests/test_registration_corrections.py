"""Registration facts corrected as new records pointing at what they correct, with who and why; the facts as
registered stay as recorded and visible, and the notification period follows the correction."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from winnow.audit.models import AuditEvent
from winnow.offenders.models import ManagedOffender, RegistrationCorrection
from winnow.offenders.services import OffenderInputError, offender_registration_correct
from winnow.permanence import ImmutableError
from winnow.permissions import NotPermitted


def test_a_correction_is_a_new_record_and_the_registration_stays(managed: Any, offender_manager: Any) -> None:
    first = offender_registration_correct(actor=offender_manager, offender=managed, convicted_on=date(2024, 5, 1),
                                          disposal="conditional_discharge", discharge_months=18, under_18=True,
                                          reason="The court record shows a conditional discharge, not custody.")
    offender = ManagedOffender.objects.with_history().get(pk=managed.pk)
    assert offender.disposal == "custody" and offender.custody_months == 12  # as registered
    now = offender.registration()
    assert now == first and now.notification_ends_on == date(2025, 11, 1)  # 18 months: not halved by s.82(2)
    assert "not halved" in now.notification_basis
    second = offender_registration_correct(actor=offender_manager, offender=managed, convicted_on=date(2024, 5, 1),
                                           disposal="caution", under_18=True, reason="It was a caution.")
    assert second.corrects == first and second.notification_ends_on == date(2025, 5, 1)  # 2 years halved
    assert ManagedOffender.objects.with_history().get(pk=managed.pk).registration() == second
    assert AuditEvent.objects.filter(action="offender.correct").count() == 2
    with pytest.raises(ImmutableError):
        first.delete()


def test_it_refuses_no_reason_the_same_facts_and_another_role(managed: Any, offender_manager: Any,
                                                             investigator: Any) -> None:
    same = {"convicted_on": date(2024, 5, 1), "disposal": "custody", "custody_months": 12, "under_18": False}
    with pytest.raises(OffenderInputError, match="reason"):
        offender_registration_correct(actor=offender_manager, offender=managed, reason=" ", **same)
    with pytest.raises(OffenderInputError, match="already recorded"):
        offender_registration_correct(actor=offender_manager, offender=managed, reason="No change.", **same)
    with pytest.raises(OffenderInputError, match="custody_months"):
        offender_registration_correct(actor=offender_manager, offender=managed, reason="x",
                                      **{**same, "custody_months": None})
    with pytest.raises(NotPermitted):
        offender_registration_correct(actor=investigator, offender=managed, reason="x", **{**same, "under_18": True})
    assert not RegistrationCorrection.objects.exists()


def test_the_page_records_a_correction_and_shows_both(client: Any, managed: Any, offender_manager: Any) -> None:
    client.force_login(offender_manager)
    response = client.post(f"/offenders/{managed.pk}/registration/", {
        "convicted_on": "2024-05-01", "disposal": "custody", "custody_months": "40", "discharge_months": "",
        "reason": "The sentence was 40 months on appeal."})
    assert response.status_code == 302
    page = client.get(f"/offenders/{managed.pk}/").content.decode()
    assert "Indefinite" in page and "As registered on" in page and "40 months on appeal" in page
    assert "12 months" in page  # the registered sentence stays visible
