"""The assessments API: personas, the house error shape naming the item, nothing written on bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from winnow.assessments.models import Assessment, BandDecision
from winnow.audit.models import AuditEvent

from .conftest import OVERRIDE_WHY


def _api(token: str | None) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"}) if token else Client()


def test_it_lists_instruments_with_version_hash_and_items(handler: Any, token_for: Any) -> None:
    body = _api(token_for(handler)).get("/api/v1/assessments/instruments").json()
    phased = next(i for i in body if i["id"] == "phased-prioritisation")
    assert phased["version"] == "0.2.0" and len(phased["sha256"]) == 64 and phased["sets_referral_band"]
    assert "NOT KIRAT" in phased["notice"] and len(phased["items"]) == 14
    assert {i["id"] for i in body} >= {"cport", "casic"}


def test_it_submits_and_reads_an_assessment(subject: Any, handler: Any, investigator: Any, token_for: Any) -> None:
    created = _api(token_for(handler)).post("/api/v1/assessments", {
        "subject": subject.pk, "instrument": "phased-prioritisation",
        "answers": {"lives_with_children": True, "grooming": "yes", "incitement": None, "sexual_convictions": 0},
        "evidence": {"grooming": "Chat logs, fictional."}}, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["band"] == "very_high" and body["answers"]["incitement"] == "unknown"
    assert body["answers"]["sexual_convictions"] == "0" and body["unknown_count"] == 11
    read = _api(token_for(investigator)).get(f"/api/v1/assessments/{body['id']}")
    assert read.status_code == 200 and read.json()["explanation"] == body["explanation"]
    assert AuditEvent.objects.filter(action="assessment.read", actor=investigator).exists()


def test_it_names_each_bad_item_in_the_error_shape_and_writes_nothing(subject: Any, handler: Any,
                                                                      token_for: Any) -> None:
    response = _api(token_for(handler)).post("/api/v1/assessments", {
        "subject": subject.pk, "instrument": "phased-prioritisation",
        "answers": {"grooming": "sometimes", "sexual_convictions": 1.5, "hat": "yes"}}, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and "nothing was written" in error["message"]
    fields = {d["field"]: d["reason"] for d in error["details"]}
    assert set(fields) == {"answers.grooming", "answers.sexual_convictions", "answers.hat"}
    assert "not an item" in fields["answers.hat"]
    assert not Assessment.objects.exists()
    assert "request_id" in response.json()


def test_it_refuses_other_units_anonymous_and_the_wrong_role(assessed: Any, subject: Any, outsider: Any,
                                                            investigator: Any, token_for: Any) -> None:
    payload = {"subject": subject.pk, "instrument": "phased-prioritisation", "answers": {}}
    outsider_api = _api(token_for(outsider))
    assert outsider_api.get(f"/api/v1/assessments/{assessed.pk}").status_code == 404
    response = outsider_api.post("/api/v1/assessments", payload, content_type="application/json")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    for url in ("/api/v1/assessments/instruments", f"/api/v1/assessments/{assessed.pk}"):
        anonymous = _api(None).get(url)
        assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthenticated"
    forbidden = _api(token_for(investigator)).post("/api/v1/assessments", payload, content_type="application/json")
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "forbidden"
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize(("who", "status"), [("handler", 403), ("outsider_supervisor", 404), ("supervisor", 201)])
def test_it_lets_only_a_supervisor_of_the_unit_decide(assessed: Any, who: str, status: int, token_for: Any,
                                                      request: Any) -> None:
    response = _api(token_for(request.getfixturevalue(who))).post(
        f"/api/v1/assessments/{assessed.pk}/decisions",
        {"decision": "override", "decided_band": "medium", "rationale": OVERRIDE_WHY}, content_type="application/json")
    assert response.status_code == status
    assert BandDecision.objects.count() == (1 if status == 201 else 0)
    if status == 201:
        read = _api(token_for(request.getfixturevalue(who))).get(f"/api/v1/assessments/{assessed.pk}").json()
        assert read["band"] == "very_high" and read["decisions"][0]["decided_band"] == "medium"


def test_it_names_the_rationale_when_an_override_has_none(assessed: Any, supervisor: Any, token_for: Any) -> None:
    response = _api(token_for(supervisor)).post(
        f"/api/v1/assessments/{assessed.pk}/decisions", {"decision": "override", "decided_band": "low",
                                                         "rationale": "no"}, content_type="application/json")
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["error"]["details"]] == ["rationale"]
