"""Assessment pages: personas (right unit, other unit, anonymous, wrong role), audited reads, errors, notices."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from winnow.assessments.models import Assessment, BandDecision
from winnow.assessments.services import band_decide
from winnow.audit.models import AuditEvent

from .conftest import OVERRIDE_WHY

NOT_KIRAT = "NOT KIRAT"


def _client(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _urls(assessed: Any, child: Any) -> dict[str, str]:
    return {
        "subject": f"/assessments/subjects/{assessed.subject_id}/",
        "new": f"/assessments/subjects/{assessed.subject_id}/new/phased-prioritisation/",
        "detail": f"/assessments/{assessed.pk}/",
        "decide": f"/assessments/{assessed.pk}/decide/",
        "youth": f"/assessments/subjects/{child.pk}/youth-pathway/",
    }


@pytest.mark.parametrize("page", ["subject", "new", "detail", "decide", "youth"])
def test_it_hides_every_page_from_another_unit_and_anonymous(assessed: Any, child: Any, outsider: Any,
                                                             outsider_supervisor: Any, page: str) -> None:
    url = _urls(assessed, child)[page]
    for user in (outsider, outsider_supervisor):
        assert _client(user).get(url).status_code == 404
        assert _client(user).post(url, {}).status_code == 404
    response = _client(None).get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize(("page", "who", "status"), [
    ("subject", "investigator", 200), ("detail", "investigator", 200),
    ("new", "handler", 200), ("new", "supervisor", 200), ("new", "investigator", 403),
    ("youth", "handler", 200), ("youth", "investigator", 403),
    ("decide", "supervisor", 200), ("decide", "handler", 403), ("decide", "investigator", 403),
])
def test_it_lets_each_role_do_only_its_part(assessed: Any, child: Any, page: str, who: str, status: int,
                                            request: Any) -> None:
    assert _client(request.getfixturevalue(who)).get(_urls(assessed, child)[page]).status_code == status


def test_it_refuses_a_handler_posting_a_decision(assessed: Any, handler: Any) -> None:
    response = _client(handler).post(f"/assessments/{assessed.pk}/decide/",
                                     {"decision": "override", "decided_band": "low", "rationale": OVERRIDE_WHY})
    assert response.status_code == 403
    assert not BandDecision.objects.exists()


def test_it_shows_band_explanation_unknowns_and_the_not_kirat_notice(assessed: Any, investigator: Any) -> None:
    response = _client(investigator).get(f"/assessments/{assessed.pk}/")
    html = response.content.decode()
    assert "Very High" in html and "rule 2a" in html and NOT_KIRAT in html
    assert "11 of 14" in html and "Evidence of grooming a child" in html
    assert "Chat logs in the CyberTipline package" in html
    assert AuditEvent.objects.filter(action="assessment.read", actor=investigator, target_id=str(assessed.pk)).exists()


def test_it_records_an_assessment_from_the_form_with_unknown_as_default(subject: Any, handler: Any) -> None:
    client = _client(handler)
    form = client.get(f"/assessments/subjects/{subject.pk}/new/phased-prioritisation/").content.decode()
    assert 'value="unknown" checked' in form.replace("\n", "") or "value=\"unknown\"" in form
    assert NOT_KIRAT in form
    response = client.post(f"/assessments/subjects/{subject.pk}/new/phased-prioritisation/", {
        "answer_prior_contact_offence": "yes", "note_prior_contact_offence": "PNC check, fictional.",
        "answer_sexual_convictions": "",
    })
    assessment = Assessment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/assessments/{assessment.pk}/"
    assert assessment.band == "very_high" and assessment.answers["sexual_convictions"] == "unknown"
    assert assessment.evidence == {"prior_contact_offence": "PNC check, fictional."}


def test_it_names_the_item_on_bad_form_input_and_writes_nothing(subject: Any, handler: Any) -> None:
    response = _client(handler).post(f"/assessments/subjects/{subject.pk}/new/phased-prioritisation/", {
        "answer_sexual_convictions": "lots", "answer_grooming": "yes"})
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert "&#x27;lots&#x27; is not a whole number" in html
    assert "Number of previous convictions for sexual offences" in html
    assert not Assessment.objects.exists()


def test_it_404s_an_unknown_instrument(subject: Any, handler: Any) -> None:
    assert _client(handler).get(f"/assessments/subjects/{subject.pk}/new/kirat/").status_code == 404


def test_it_lets_a_supervisor_override_and_shows_both_bands_on_the_referral(assessed: Any, supervisor: Any,
                                                                            referral: Any) -> None:
    client = _client(supervisor)
    bad = client.post(f"/assessments/{assessed.pk}/decide/", {"decision": "override", "decided_band": "low",
                                                              "rationale": "Disagree."})
    assert bad.status_code == 200 and "substantive rationale" in bad.content.decode()
    response = client.post(f"/assessments/{assessed.pk}/decide/", {"decision": "override", "decided_band": "low",
                                                                   "rationale": OVERRIDE_WHY})
    assert response.status_code == 302
    html = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Very High" in html and "Low" in html and OVERRIDE_WHY in html and "sara.supervisor" in html
    assert NOT_KIRAT in html


def test_it_offers_the_youth_pathway_for_an_under_18_and_refuses_outcome_21_with_an_exclusion(
        child: Any, handler: Any) -> None:
    from winnow.assessments.youth import CONDITIONS

    client = _client(handler)
    hub = client.get(f"/assessments/subjects/{child.pk}/").content.decode()
    assert "youth safeguarding pathway applies" in hub and "Record the youth pathway" in hub
    data = {cid: "no" for cid in CONDITIONS} | {f"{cid}_reason": "Checked (fictional)." for cid in CONDITIONS}
    data |= {"safeguarding_referral_made": "yes", "safeguarding_reason": "Social care, fictional.",
             "outcome_21_considered": "yes", "recommendation": "outcome_21", "reason": "Consensual, peers."}
    refused = client.post(f"/assessments/subjects/{child.pk}/youth-pathway/", data | {"coercion": "yes"})
    assert refused.status_code == 200 and "Outcome 21 is not available" in refused.content.decode()
    accepted = client.post(f"/assessments/subjects/{child.pk}/youth-pathway/", data)
    assert accepted.status_code == 302
    assert "Outcome 21: further action" in client.get(f"/assessments/subjects/{child.pk}/").content.decode()


def test_it_says_so_when_the_instrument_file_has_changed(assessed: Any, handler: Any, settings: Any,
                                                         tmp_path: Any) -> None:
    from pathlib import Path

    from winnow.assessments.registry import load_registry

    shipped = Path(settings.WINNOW_INSTRUMENTS_DIR)
    for f in shipped.glob("*.yaml"):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    with (tmp_path / "phased-prioritisation.yaml").open("a") as changed:
        changed.write("\n# edited locally\n")
    try:
        load_registry(tmp_path)
        reloaded = Assessment.objects.get(pk=assessed.pk)
        assert reloaded.instrument() is None
        html = _client(handler).get(f"/assessments/{assessed.pk}/").content.decode()
        assert "has changed since this assessment" in html and "not scored again" in html
        assert "Re-assess (new version)" not in html
        assert "Very High" in html  # the stored result is still shown
    finally:
        load_registry(shipped)
    assert Assessment.objects.get(pk=assessed.pk).instrument() is not None


def test_it_shows_a_cport_score_without_a_band_or_decision(subject: Any, handler: Any, supervisor: Any) -> None:
    response = _client(handler).post(f"/assessments/subjects/{subject.pk}/new/cport/", {
        "answer_age_at_index": "30", "answer_prior_criminal_history": "yes", "answer_contact_sexual_offending": "no",
        "answer_conditional_release_failure": "no", "answer_sexual_interest": "no",
        "answer_more_boy_content_csam": "no", "answer_more_boy_content_other": "no"})
    cport = Assessment.objects.get(instrument_id="cport")
    assert response.status_code == 302 and cport.score == 2 and cport.band == ""
    html = _client(supervisor).get(f"/assessments/{cport.pk}/").content.decode()
    assert "gives a score, not a band" in html and "Confirm or override" not in html


def test_it_lists_decisions_on_the_detail_page(assessed: Any, supervisor: Any, investigator: Any) -> None:
    band_decide(actor=supervisor, assessment=assessed, decision="override", decided_band="medium",
                rationale=OVERRIDE_WHY)
    html = _client(investigator).get(f"/assessments/{assessed.pk}/").content.decode()
    assert "Override the computed band" in html and OVERRIDE_WHY in html and "Medium" in html
