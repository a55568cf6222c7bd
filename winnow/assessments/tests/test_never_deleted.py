"""Assessments and decisions are never edited or deleted through the ORM (invariant 1; raw SQL against every
permanent table: winnow/tests/test_permanence.py)."""

from __future__ import annotations

from typing import Any

import pytest

from winnow.assessments.models import Assessment, BandDecision
from winnow.assessments.services import band_decide
from winnow.permanence import ImmutableError


def test_it_refuses_orm_edits_and_deletes(assessed: Any, supervisor: Any) -> None:
    decision = band_decide(actor=supervisor, assessment=assessed, decision="confirm", rationale="Agreed, rule 2a.")
    for obj in (assessed, decision):
        with pytest.raises(ImmutableError):
            obj.save()
        with pytest.raises(ImmutableError):
            obj.delete()
    for model in (Assessment, BandDecision):
        with pytest.raises(ImmutableError):
            model.objects.all().delete()
        with pytest.raises(ImmutableError):
            model.objects.all().update(created_at=None)
