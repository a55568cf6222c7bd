"""Triage records are permanent: the database refuses raw SQL that edits or deletes them."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from winnow.permanence import ImmutableError
from winnow.triage.models import (
    CollectionSummary,
    Exhibit,
    HashEntry,
    HashSet,
    ScanResult,
    SuggestionConfirmation,
    UnknownMediaHash,
)

pytestmark = pytest.mark.django_db

MODELS = [HashSet, HashEntry, Exhibit, ScanResult, CollectionSummary, UnknownMediaHash]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("statement", ["UPDATE {t} SET id = id WHERE id = %s", "DELETE FROM {t} WHERE id = %s"])
def test_it_refuses_raw_sql_changes(stored: Any, model: Any, statement: str) -> None:
    row = model.objects.order_by("pk").first()
    assert row is not None
    with pytest.raises(DatabaseError, match="never"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(t=model._meta.db_table), [row.pk])
    assert model.objects.filter(pk=row.pk).exists()


def test_it_refuses_raw_sql_on_confirmations(client: Any, forensic: Any, stored: Any) -> None:
    from winnow.triage.services import suggestion_confirm

    confirmation = suggestion_confirm(actor=forensic, summary=stored.summary, item="producing_taking_iioc")
    with pytest.raises(DatabaseError, match="never"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SuggestionConfirmation._meta.db_table} WHERE id = %s", [confirmation.pk])


def test_it_refuses_orm_deletes_and_bulk_updates(stored: Any) -> None:
    with pytest.raises(ImmutableError):
        HashEntry.objects.all().delete()
    with pytest.raises(ImmutableError):
        CollectionSummary.objects.update(pdq_threshold=0)
