"""Training pages, by persona: an officer trains blind and gets feedback; supervisors of the unit see the results;
another unit's supervisor and anonymous visitors get nothing; training never touches a referral."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from winnow.assessments.models import Assessment
from winnow.audit.models import AuditEvent
from winnow.training.models import TrainingAttempt

from .conftest import pp_vignettes


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post_answers(vignette: Any, answers: dict[str, str]) -> dict[str, str]:
    return {f"answer_{item}": value for item, value in answers.items()}


@pytest.fixture
def vignette() -> Any:
    return next(v for v in pp_vignettes() if v.id == "pp-03-access-and-grooming")


def test_anonymous_visitors_are_sent_to_sign_in(db: Any, vignette: Any) -> None:
    client = Client()
    for url in (reverse("training:home"), reverse("training:attempt", args=[vignette.id]),
                reverse("training:supervision"), reverse("training:standard"), reverse("training:double-coding"),
                reverse("training:module", args=["disclosure-barriers"]), reverse("training:feedback", args=[1])):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_the_vignette_form_hides_the_reference(handler: Any, vignette: Any) -> None:
    page = _client(handler).get(reverse("training:attempt", args=[vignette.id])).content.decode()
    assert vignette.summary[:40] in page and "Evidence (optional)" not in page
    assert vignette.answer("grooming").rationale not in page and vignette.rationale not in page


def test_an_officer_completes_a_vignette_and_sees_feedback_item_by_item(handler: Any, vignette: Any) -> None:
    client = _client(handler)
    answers = dict(vignette.answer_map, grooming="no")
    response = client.post(reverse("training:attempt", args=[vignette.id]), _post_answers(vignette, answers))
    attempt = TrainingAttempt.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("training:feedback", args=[attempt.pk])
    assert attempt.items_agreed == 13 and not attempt.outcome_exact and attempt.band == "medium"
    page = client.get(response["Location"]).content.decode()
    assert "13 of 14 answers as the reference" in page and "Reference band: Very High" in page
    assert vignette.answer("grooming").rationale in page and "winnow-feedback-differs" in page
    assert AuditEvent.objects.filter(action="training.attempt", actor=handler).count() == 1


def test_training_never_creates_an_assessment_or_touches_a_referral(handler: Any, referral: Any,
                                                                     vignette: Any) -> None:
    before = referral.priority_band if hasattr(referral, "priority_band") else None
    _client(handler).post(reverse("training:attempt", args=[vignette.id]), _post_answers(vignette, vignette.answer_map))
    assert TrainingAttempt.objects.count() == 1
    assert Assessment.objects.count() == 0
    referral.refresh_from_db()
    assert (referral.priority_band if hasattr(referral, "priority_band") else None) == before


def test_a_bad_answer_is_shown_on_the_form_and_nothing_is_written(handler: Any, vignette: Any) -> None:
    response = _client(handler).post(reverse("training:attempt", args=[vignette.id]),
                                     {"answer_sexual_convictions": "many", "answer_grooming": "maybe"})
    assert response.status_code == 200
    assert TrainingAttempt.objects.count() == 0
    assert "is not a whole number" in response.content.decode() or "Select a valid choice" in response.content.decode()


def test_an_unknown_vignette_is_404(handler: Any) -> None:
    assert _client(handler).get(reverse("training:attempt", args=["no-such-vignette"])).status_code == 404


def test_roles_that_do_not_assess_cannot_train(investigator: Any, vignette: Any) -> None:
    client = _client(investigator)
    assert client.get(reverse("training:home")).status_code == 403
    assert client.post(reverse("training:attempt", args=[vignette.id]), {}).status_code == 403


def test_feedback_is_for_the_officer_and_their_units_supervisors_only(handler: Any, supervisor: Any,
                                                                       outsider_supervisor: Any, outsider: Any,
                                                                       vignette: Any) -> None:
    _client(handler).post(reverse("training:attempt", args=[vignette.id]), _post_answers(vignette, vignette.answer_map))
    url = reverse("training:feedback", args=[TrainingAttempt.objects.get().pk])
    assert _client(handler).get(url).status_code == 200
    assert _client(supervisor).get(url).status_code == 200
    assert _client(outsider_supervisor).get(url).status_code == 404
    assert _client(outsider).get(url).status_code == 404


def test_the_supervision_report_is_for_supervisors_of_the_unit(handler: Any, supervisor: Any,
                                                                outsider_supervisor: Any, analyst: Any,
                                                                certified_handler: Any) -> None:
    page = _client(supervisor).get(reverse("training:supervision"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "cara.certified" in text and "hannah.handler" in text and "Certified" in text and "Not certified" in text
    assert "Fleiss&#x27; kappa" in text or "Fleiss' kappa" in text
    assert AuditEvent.objects.filter(action="training.supervision", actor=supervisor).exists()
    other = _client(outsider_supervisor).get(reverse("training:supervision")).content.decode()
    assert "cara.certified" not in other and "hannah.handler" not in other
    assert _client(handler).get(reverse("training:supervision")).status_code == 403
    assert _client(analyst).get(reverse("training:supervision")).status_code == 403


def test_a_supervisor_sets_the_standard_and_it_is_kept_as_a_new_record(supervisor: Any, handler: Any,
                                                                         outsider_supervisor: Any) -> None:
    from winnow.training.models import TrainingStandard

    client = _client(supervisor)
    assert client.get(reverse("training:standard")).status_code == 200
    data = {"min_item_agreement": 90, "min_band_exact": 75, "min_vignettes": 8, "refresher_months": 6,
            "double_coding_share": 10}
    assert client.post(reverse("training:standard"), data).status_code == 302
    assert client.post(reverse("training:standard"), dict(data, min_vignettes=9)).status_code == 302
    rows = list(TrainingStandard.objects.all())
    assert len(rows) == 2 and rows[0].min_vignettes == 9 and rows[0].unit.code == "north"
    bad = client.post(reverse("training:standard"), dict(data, min_item_agreement=150))
    assert bad.status_code == 200 and TrainingStandard.objects.count() == 2
    assert _client(handler).get(reverse("training:standard")).status_code == 403
    _client(outsider_supervisor).post(reverse("training:standard"), data)
    assert TrainingStandard.objects.filter(unit__code="north").count() == 2


def test_a_knowledge_module_records_completion(handler: Any, supervisor: Any, outsider_supervisor: Any) -> None:
    from winnow.training.models import ModuleCompletion

    client = _client(handler)
    page = client.get(reverse("training:module", args=["disclosure-barriers"])).content.decode()
    assert "Why children do not tell" in page and "to be replaced by your force" in page.lower()
    assert "Lemaigre" in page
    response = client.post(reverse("training:module", args=["disclosure-barriers"]),
                           {"no-disclosure": "b", "barriers": "c"})
    assert "1 of 2 right" in response.content.decode()
    row = ModuleCompletion.objects.get()
    assert (row.correct, row.total, row.user) == (1, 2, handler)
    assert "disclosure-barriers" in _client(supervisor).get(reverse("training:supervision")).content.decode()
    assert "disclosure-barriers" not in _client(outsider_supervisor).get(reverse("training:supervision")).content.decode()
    assert client.get(reverse("training:module", args=["nope"])).status_code == 404


def test_a_module_with_unanswered_questions_records_nothing(handler: Any) -> None:
    from winnow.training.models import ModuleCompletion

    _client(handler).post(reverse("training:module", args=["disclosure-barriers"]), {"no-disclosure": "b"})
    assert ModuleCompletion.objects.count() == 0


def test_every_share_on_the_supervision_report_shows_its_n_and_its_interval(
        supervisor: Any, certified_handler: Any, handler: Any, referral: Any) -> None:
    from winnow.assessments.services import assessment_record, band_decide

    first = assessment_record(actor=handler, subject=referral.subjects.get(), instrument_id="phased-prioritisation",
                              answers={"lives_with_children": "yes", "grooming": "yes"})
    band_decide(actor=supervisor, assessment=first, decision="override", decided_band="high",
                rationale="Grooming is an allegation only; the child lives elsewhere half the week.")
    text = _client(supervisor).get(reverse("training:supervision")).content.decode()
    assert "Answers 84 of 84: 100% (95% 96% to 100%); exact outcome 6 of 6: 100% (95% 61% to 100%)" in text
    assert "1 of 1: 100% (95% 21% to 100%)" in text  # hannah.handler's one band decision, overridden
    assert "Refreshers: 0 overdue, 0 due within 30 days" in text
    assert "quadratic-weighted kappa" in text


def test_a_refresher_due_within_30_days_is_flagged(supervisor: Any, certified_handler: Any) -> None:
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=350)):
        text = _client(supervisor).get(reverse("training:supervision")).content.decode()
    assert "Due within 30 days" in text and "Refreshers: 0 overdue, 1 due within 30 days" in text
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=400)):
        text = _client(supervisor).get(reverse("training:supervision")).content.decode()
    assert "Refreshers: 1 overdue, 0 due within 30 days" in text and "Refresher overdue" in text


def test_an_officer_of_another_unit_trains_in_their_own_unit_and_sees_nothing_of_this_one(
        handler: Any, supervisor: Any, outsider: Any, outsider_supervisor: Any, vignette: Any) -> None:
    """Wrong-unit persona on the pages every assessor may open (home, a vignette, a module): the bank and the
    modules are shared, but attempts, completions and results stay with the officer's own unit."""
    from winnow.training.models import ModuleCompletion

    mine = _client(handler)
    mine.post(reverse("training:attempt", args=[vignette.id]), _post_answers(vignette, vignette.answer_map))
    mine.post(reverse("training:module", args=["disclosure-barriers"]), {"no-disclosure": "b", "barriers": "c"})
    theirs = _client(outsider)
    home = theirs.get(reverse("training:home")).content.decode()
    assert "Not attempted" in home and "14 of 14 answers" not in home and "completed" not in home
    assert theirs.get(reverse("training:attempt", args=[vignette.id])).status_code == 200
    theirs.post(reverse("training:attempt", args=[vignette.id]), _post_answers(vignette, vignette.answer_map))
    theirs.post(reverse("training:module", args=["disclosure-barriers"]), {"no-disclosure": "a", "barriers": "a"})
    attempt = TrainingAttempt.objects.get(user=outsider)
    assert attempt.unit.code == "east" and ModuleCompletion.objects.get(user=outsider).unit.code == "east"
    north = _client(supervisor).get(reverse("training:supervision")).content.decode()
    assert "otto.outsider" not in north
    assert _client(supervisor).get(reverse("training:feedback", args=[attempt.pk])).status_code == 404
    east = _client(outsider_supervisor).get(reverse("training:supervision")).content.decode()
    assert "otto.outsider" in east and "hannah.handler" not in east
