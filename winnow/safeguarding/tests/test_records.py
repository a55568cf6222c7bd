"""Recording a safeguarding referral, and correcting it as a new version; the first stays as recorded."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from winnow.permanence import ImmutableError
from winnow.permissions import NotPermitted
from winnow.safeguarding.models import Concern, SafeguardingReferral
from winnow.safeguarding.services import (
    SafeguardingInputError,
    safeguarding_referral_record,
    safeguarding_referral_revise,
)


def test_it_records_when_to_whom_and_by_whom_and_covers_the_concern(make_referral: Any, investigator: Any,
                                                                    facts: Any) -> None:
    referral = make_referral(danger=True)
    concern = Concern.objects.get(referral=referral)
    record = safeguarding_referral_record(actor=investigator, referral=referral, concerns=[concern], **facts())
    assert record.version == 1 and record.local_authority.startswith("Northmoor")
    assert list(Concern.objects.filter(referral=referral).uncovered()) == []
    assert Concern.objects.get(pk=concern.pk).standing(timezone.now()).state == "made"


def test_a_correction_is_a_new_version_and_the_first_stays(make_referral: Any, investigator: Any,
                                                           facts: Any) -> None:
    referral = make_referral(danger=True)
    concern = Concern.objects.get(referral=referral)
    first = safeguarding_referral_record(actor=investigator, referral=referral, concerns=[concern], **facts())
    second = safeguarding_referral_revise(
        actor=investigator, record=first, reason="Strategy discussion held with the duty social worker.",
        **facts(strategy_held_on=timezone.localdate(), strategy_outcome="section_47"))
    assert second.version == 2 and second.supersedes == first and second.original == first
    assert first.current() == second and [r.pk for r in first.chain()] == [first.pk, second.pk]
    assert SafeguardingReferral.objects.get(pk=first.pk).strategy_outcome == ""  # unchanged
    assert Concern.objects.get(pk=concern.pk).made_at() == second.made_at  # coverage holds across versions
    with pytest.raises(SafeguardingInputError, match="replaced by version 2"):
        safeguarding_referral_revise(actor=investigator, record=first, reason="again", **facts())
    with pytest.raises(ImmutableError):
        first.delete()
    first.local_authority = "Edited in place"
    with pytest.raises(ImmutableError):
        first.save()


@pytest.mark.parametrize(("changes", "field"), [
    ({"local_authority": " "}, "local_authority"),
    ({"recipient": "x" * 201}, "recipient"),
    ({"made_at": None}, "made_at"),
    ({"made_at": "future"}, "made_at"),
    ({"made_by": None}, "made_by"),
    ({"strategy_held_on": date(2026, 1, 1)}, "strategy_outcome"),
    ({"strategy_outcome": "section_47"}, "strategy_held_on"),
    ({"strategy_outcome": "other", "strategy_held_on": "today"}, "strategy_notes"),
    ({"strategy_outcome": "maybe"}, "strategy_outcome"),
])
def test_it_names_each_bad_fact_and_writes_nothing(make_referral: Any, investigator: Any, facts: Any,
                                                   changes: dict[str, Any], field: str) -> None:
    referral = make_referral()
    if changes.get("made_at") == "future":
        changes["made_at"] = timezone.now() + timedelta(hours=1)
    if changes.get("strategy_held_on") == "today":
        changes["strategy_held_on"] = timezone.localdate()
    with pytest.raises(SafeguardingInputError) as caught:
        safeguarding_referral_record(actor=investigator, referral=referral, **facts(**changes))
    assert field in [f for f, _ in caught.value.problems]
    assert not SafeguardingReferral.objects.exists()


def test_it_refuses_a_concern_of_another_referral_and_a_role_that_does_not_record(
        make_referral: Any, investigator: Any, make_person: Any, facts: Any) -> None:
    danger = make_referral(danger=True)
    other = make_referral()
    with pytest.raises(SafeguardingInputError, match="concerns"):
        safeguarding_referral_record(actor=investigator, referral=other,
                                     concerns=[Concern.objects.get(referral=danger)], **facts())
    analyst = make_person("andy.analyst", "north", "analyst")
    with pytest.raises(NotPermitted):
        safeguarding_referral_record(actor=analyst, referral=other, **facts())
    assert not SafeguardingReferral.objects.exists()
