"""Triage records are permanent: the models refuse edits and deletes (raw SQL against every permanent table:
winnow/tests/test_permanence.py)."""

from __future__ import annotations

from typing import Any

import pytest

from winnow.permanence import ImmutableError
from winnow.triage.models import (
    CollectionSummary,
    HashEntry,
)

pytestmark = pytest.mark.django_db


def test_it_refuses_orm_deletes_and_bulk_updates(stored: Any) -> None:
    with pytest.raises(ImmutableError):
        HashEntry.objects.all().delete()
    with pytest.raises(ImmutableError):
        CollectionSummary.objects.update(pdq_threshold=0)
