"""The database sorts the queue exactly as winnow.core.priority orders it."""

from __future__ import annotations

from typing import Any

from winnow.referrals.models import Referral


def test_it_sorts_the_queue_in_the_database_as_the_core_orders_it(make_referral: Any, supervisor: Any, client: Any) -> None:
    made = {
        "low": make_referral(days_ago=20, band="low"),
        "medium": make_referral(days_ago=2, band="medium"),
        "unassessed": make_referral(days_ago=1),
        "danger": make_referral(days_ago=0.5, danger=True),
        "very-high-overdue": make_referral(days_ago=5, band="very_high", decided_days_ago=3),
        "high": make_referral(days_ago=3, band="high"),
        "very-high": make_referral(days_ago=1, band="very_high", decided_days_ago=0.1),
    }
    names = {r.pk: name for name, r in made.items()}
    order = [names[pk] for pk in Referral.objects.queue().values_list("pk", flat=True)]
    assert order == ["danger", "very-high-overdue", "very-high", "unassessed", "high", "medium", "low"]

    client.force_login(supervisor)
    body = client.get("/queue/").content.decode()
    positions = [body.index(made[name].reference) for name in order]
    assert positions == sorted(positions)


def test_it_marks_overdue_referrals_and_filters_them(make_referral: Any, supervisor: Any, client: Any) -> None:
    overdue = make_referral(days_ago=5, band="very_high", decided_days_ago=3)
    on_time = make_referral(days_ago=1, band="low")
    client.force_login(supervisor)
    body = client.get("/queue/", {"overdue": "on"}).content.decode()
    assert overdue.reference in body and on_time.reference not in body
    assert "Overdue" in body


def test_it_stops_the_clock_at_the_first_enforcement_action(make_referral: Any, investigator: Any) -> None:
    from django.utils import timezone

    from winnow.workload.services import case_action_record

    referral = make_referral(days_ago=5, band="very_high", decided_days_ago=3)
    assert Referral.objects.overdue(timezone.now()).filter(pk=referral.pk).exists()
    case_action_record(actor=investigator, referral=referral, kind="research", occurred_at=timezone.now())
    assert Referral.objects.overdue(timezone.now()).filter(pk=referral.pk).exists()  # research is not action
    case_action_record(actor=investigator, referral=referral, kind="arrest", occurred_at=timezone.now())
    assert not Referral.objects.overdue(timezone.now()).filter(pk=referral.pk).exists()
    assert referral.actioned_at is not None


def test_it_moves_an_actioned_referral_below_those_still_waiting(make_referral: Any, investigator: Any) -> None:
    from django.utils import timezone

    from winnow.workload.services import case_action_record

    very_high = make_referral(days_ago=2, band="very_high", decided_days_ago=1)
    low = make_referral(days_ago=2, band="low")
    assert list(Referral.objects.queue().values_list("pk", flat=True)) == [very_high.pk, low.pk]
    case_action_record(actor=investigator, referral=very_high, kind="warrant_executed", occurred_at=timezone.now())
    assert list(Referral.objects.queue().values_list("pk", flat=True)) == [low.pk, very_high.pk]


def test_it_filters_by_the_source_as_corrected(make_referral: Any, supervisor: Any, handler: Any, client: Any) -> None:
    """A referral whose source was corrected is found under its corrected source, not the one first recorded."""
    from winnow.intake.corrections import referral_correct

    moved, stayed = make_referral(days_ago=2), make_referral(days_ago=1)
    recorded = moved.source
    other = "public" if recorded != "public" else "other_agency"
    referral_correct(actor=handler, referral=moved, field="source", value=other,
                     reason="The first report came from a member of the public (fictional).")
    client.force_login(supervisor)
    under_other = client.get("/queue/", {"source": other}).content.decode()
    under_recorded = client.get("/queue/", {"source": recorded}).content.decode()
    assert moved.reference in under_other and moved.reference not in under_recorded
    assert (stayed.reference in under_recorded) == (stayed.source == recorded)
