"""Reactive management is decided by a person with a reason, only when the rules allow; reviews are scored with the
review instrument and their date sets the next review."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from winnow.offenders.models import ManagedOffender, ReactiveDecision, Review
from winnow.offenders.services import OffenderInputError, plan_revise, reactive_decide

from .conftest import plan_data


def _fresh(offender: Any) -> Any:
    return ManagedOffender.objects.with_history().get(pk=offender.pk)


def test_it_refuses_reactive_management_naming_the_blockers(client: Any, managed: Any,
                                                            offender_manager: Any) -> None:
    client.force_login(offender_manager)
    response = client.post(f"/offenders/{managed.pk}/reactive/", {"reactive": "reactive", "reason": "Settled."})
    body = response.content.decode()
    assert response.status_code == 200 and "not eligible" in body and "now Medium" in body
    assert not ReactiveDecision.objects.exists()


def test_it_moves_an_eligible_offender_to_reactive_management(client: Any, managed: Any,
                                                              offender_manager: Any) -> None:
    plan_revise(actor=offender_manager, offender=managed,
                plan=plan_data(offender_manager, risk="low", clean_since=date(2022, 1, 1), reason="Low now."))
    client.force_login(offender_manager)
    assert client.post(f"/offenders/{managed.pk}/reactive/", {"reactive": "reactive", "reason": ""}).status_code == 200
    assert not ReactiveDecision.objects.exists()  # a reason is required
    response = client.post(f"/offenders/{managed.pk}/reactive/",
                           {"reactive": "reactive", "reason": "Three clean years; MAPP meeting agreed."})
    assert response.status_code == 302
    offender = _fresh(managed)
    assert offender.reactive
    decision = ReactiveDecision.objects.get()
    assert decision.by == offender_manager and all(rule["met"] for rule in decision.eligibility)
    assert "annual notification in person" in offender.schedule(timezone.now()).visit.based_on
    with pytest.raises(OffenderInputError, match="already under reactive"):
        reactive_decide(actor=offender_manager, offender=offender, reactive=True, reason="again")


def test_it_records_a_review_whose_date_sets_the_next(client: Any, managed: Any, offender_manager: Any) -> None:
    client.force_login(offender_manager)
    page = client.get(f"/offenders/{managed.pk}/reviews/new/").content.decode()
    assert "PLACEHOLDER REVIEW" in page and "Access or opportunity to be with children" in page
    day = timezone.localdate() - timedelta(days=10)
    response = client.post(f"/offenders/{managed.pk}/reviews/new/", {
        "reviewed_on": day.isoformat(), "notes": "Fictional review: stable, engaging.",
        "answer_access_to_children": "no", "answer_stable_accommodation": "yes"})
    assert response.status_code == 302
    review = Review.objects.get()
    assert review.instrument_id == "offender-review" and review.score == 0 and review.score_max == 5
    assert review.answers["stable_accommodation"] == "yes" and review.answers["isolation"] == "unknown"
    due = _fresh(managed).review_due(timezone.now())
    assert timezone.localdate(due.due_at) == date(day.year + 1, day.month, day.day)


def test_it_names_a_review_without_a_judgement(client: Any, managed: Any, offender_manager: Any) -> None:
    client.force_login(offender_manager)
    response = client.post(f"/offenders/{managed.pk}/reviews/new/", {
        "reviewed_on": timezone.localdate().isoformat(), "notes": "", "answer_isolation": "perhaps"})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not Review.objects.exists()
