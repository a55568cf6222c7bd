"""Invariant 1: referrals and their records are never deleted or edited in place, by the ORM or by raw SQL."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from winnow.permanence import ImmutableError
from winnow.referrals.models import Identifier, RawPackage, Referral, StatusChange, Subject


def test_it_refuses_deleting_a_referral_in_the_orm(referral: Any) -> None:
    with pytest.raises(ImmutableError):
        referral.delete()
    with pytest.raises(ImmutableError):
        Referral.objects.filter(pk=referral.pk).delete()
    assert Referral.objects.filter(pk=referral.pk).exists()


@pytest.mark.parametrize("model", [Subject, Identifier, RawPackage, StatusChange])
def test_it_refuses_deleting_related_records_in_the_orm(referral: Any, model: Any) -> None:
    with pytest.raises(ImmutableError):
        model.objects.all().delete()


def _raw(sql: str, params: list[Any]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_it_refuses_deleting_a_referral_in_raw_sql(referral: Any) -> None:
    with pytest.raises((DatabaseError, IntegrityError), match="never deleted"):
        _raw("DELETE FROM referrals_referral WHERE id = %s", [referral.pk])
    assert Referral.objects.filter(pk=referral.pk).exists()


def test_it_refuses_editing_a_referrals_intake_facts_in_raw_sql(referral: Any) -> None:
    with pytest.raises((DatabaseError, IntegrityError), match="never edited"):
        _raw("UPDATE referrals_referral SET summary = %s WHERE id = %s", ["rewritten", referral.pk])
    referral.refresh_from_db()
    assert referral.summary.startswith("Fictional test referral")


def test_it_still_lets_the_status_move_in_sql(referral: Any) -> None:
    _raw("UPDATE referrals_referral SET status = %s WHERE id = %s", ["assessment", referral.pk])
    referral.refresh_from_db()
    assert referral.status == "assessment"


@pytest.mark.parametrize("table", ["referrals_rawpackage", "referrals_subject", "referrals_identifier"])
def test_it_refuses_raw_sql_edits_and_deletes_of_what_arrived(referral: Any, table: str) -> None:
    with pytest.raises((DatabaseError, IntegrityError), match="never edited"):
        _raw(f"UPDATE {table} SET id = id WHERE 1 = %s", [1])
    with pytest.raises((DatabaseError, IntegrityError), match="never deleted"):
        _raw(f"DELETE FROM {table} WHERE 1 = %s", [1])


def test_it_keeps_the_package_byte_for_byte(referral: Any) -> None:
    import hashlib

    package = referral.package
    assert hashlib.sha256(bytes(package.content)).hexdigest() == package.sha256
    assert package.size == len(bytes(package.content))
