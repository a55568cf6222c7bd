"""Invariant 1: referrals and their records are never deleted or edited in place, by the ORM or by raw SQL."""

from __future__ import annotations

from typing import Any

import pytest

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


# The facts a referral arrives with. The database guard once listed them by hand; now every column not in
# Referral.mutable_fields is fixed, and this says which ones must never join that list. The owning unit (`unit_id`)
# is current state: it moves only with an accepted transfer (winnow.transfers); the unit that received the referral
# stays fixed on its raw package (`RawPackage.unit`), tested below.
INTAKE_COLUMNS = [
    "reference", "source", "source_reference", "received_at", "summary", "immediate_danger",
    "package_id", "package_locator", "created_at", "created_by_id",
]


def test_it_never_lets_an_intake_fact_change() -> None:
    columns = {f.column for f in Referral._meta.concrete_fields}
    changeable = {Referral._meta.get_field(name).column for name in Referral.mutable_fields}
    assert set(INTAKE_COLUMNS) <= columns
    assert not changeable & set(INTAKE_COLUMNS)


def test_it_keeps_the_receiving_unit_on_the_package() -> None:
    assert "unit" not in RawPackage.mutable_fields and "unit" in Referral.mutable_fields


def test_it_refuses_editing_an_intake_fact_in_the_orm(referral: Any) -> None:
    referral.summary = "rewritten"
    with pytest.raises(ImmutableError, match="summary"):
        referral.save(update_fields=["summary", "status"])
    with pytest.raises(ImmutableError):
        referral.save()
    with pytest.raises(ImmutableError, match="received_at"):
        Referral.objects.filter(pk=referral.pk).update(received_at=None)
    referral.refresh_from_db()
    assert referral.summary.startswith("Fictional test referral")


def test_it_still_lets_the_current_state_move(referral: Any, handler: Any) -> None:
    referral.transition_to("assessment", by=handler)
    Referral.objects.filter(pk=referral.pk).update(priority_tier=1)
    referral.refresh_from_db()
    assert (referral.status, referral.priority_tier) == ("assessment", 1)


def test_it_keeps_the_package_byte_for_byte(referral: Any) -> None:
    import hashlib

    package = referral.package
    assert hashlib.sha256(bytes(package.content)).hexdigest() == package.sha256
    assert package.size == len(bytes(package.content))
