"""Assessments and decisions are never edited or deleted, by the ORM or by raw SQL (invariant 1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from winnow.assessments.models import Assessment, BandDecision
from winnow.assessments.services import band_decide, youth_pathway_record
from winnow.permanence import ImmutableError

TABLES = ["assessments_assessment", "assessments_banddecision", "assessments_youthpathwaydecision"]


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


@pytest.fixture
def one_of_each(assessed: Any, supervisor: Any, child: Any, handler: Any) -> None:
    from .test_youth_pathway import _answers

    band_decide(actor=supervisor, assessment=assessed, decision="confirm", rationale="Agreed, rule 2a.")
    youth_pathway_record(actor=handler, subject=child, **_answers())


@pytest.mark.parametrize("table", TABLES)
def test_it_refuses_raw_sql_edits_and_deletes(one_of_each: None, table: str) -> None:
    with pytest.raises((DatabaseError, IntegrityError), match="never edited"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET id = id WHERE 1 = %s", [1])
    with pytest.raises((DatabaseError, IntegrityError), match="never deleted"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE 1 = %s", [1])


def test_it_refuses_raw_sql_that_rewrites_a_band(assessed: Any) -> None:
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE assessments_assessment SET band = %s WHERE id = %s", ["low", assessed.pk])
    assert Assessment.objects.get(pk=assessed.pk).band == "very_high"
