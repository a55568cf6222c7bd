"""Contacts, reviews, plan versions and decisions are permanent: the models refuse changes (and so does the
database, even to raw SQL: winnow/tests/test_permanence.py covers every permanent table)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from winnow.offenders.models import Contact
from winnow.offenders.services import contact_record, reactive_decide, review_record
from winnow.permanence import ImmutableError


@pytest.fixture
def history(managed: Any, offender_manager: Any) -> Any:
    contact_record(actor=offender_manager, offender=managed, occurred_at=timezone.now() - timedelta(days=1),
                   mode="phone", outcome="seen", device_check="not_done")
    review_record(actor=offender_manager, offender=managed, answers={}, notes="Fictional review.")
    from winnow.offenders.models import ManagedOffender

    offender = ManagedOffender.objects.with_history().get(pk=managed.pk)
    with pytest.raises(Exception):  # noqa: B017 (not eligible: nothing written, so decide the other way round)
        reactive_decide(actor=offender_manager, offender=offender, reactive=True, reason="x")
    from winnow.offenders.models import ReactiveDecision

    with transaction.atomic():
        ReactiveDecision.objects.create(offender=managed, reactive=False, reason="Fictional.", eligibility=[],
                                        by=offender_manager)
    return managed


def test_it_refuses_edits_through_the_model(history: Any) -> None:
    contact = Contact.objects.get()
    contact.notes = "changed"
    with pytest.raises(ImmutableError):
        contact.save()
    with pytest.raises(ImmutableError):
        Contact.objects.all().delete()
