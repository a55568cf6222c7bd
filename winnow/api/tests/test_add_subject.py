"""`POST /api/v1/referrals/{id}/subjects`: a person added to a referral already recorded, answered 201 with the
subject; every refusal in the API's one error shape, with nothing written. All people fictional."""

from __future__ import annotations

import json
from typing import Any

import pytest

from winnow.accounts.models import ApiToken
from winnow.audit.models import AuditEvent
from winnow.linkage.tests.support import record
from winnow.referrals.models import Status, Subject, SubjectAddition
from winnow.referrals.services import referral_transition

WHY = "Subscriber check on 192.0.2.10 names the account holder (fictional ISP return)."
BODY: dict[str, Any] = {
    "role": "reported", "given_names": "Addy", "family_name": "Laterfound", "date_of_birth": "1985-06-02",
    "sex": "male", "addresses": ["2 Example Road, Testtown"],
    "identifiers": [{"kind": "ip", "value": "192.0.2.10", "observed_at": "2026-11-01T21:40:00Z"},
                    {"kind": "email", "value": "Addy.Laterfound@example.com"}],
    "reason": WHY,
}


@pytest.fixture
def nameless(supervisor: Any, units: dict[str, Any]) -> Any:
    return record(supervisor, units["north"], subjects=[], reference="CT-NOBODY-API")


def post(client: Any, referral: Any, token: str | None, body: Any = None, raw: bytes | None = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = raw if raw is not None else json.dumps(BODY if body is None else body)
    return client.post(f"/api/v1/referrals/{referral.pk}/subjects", data, content_type="application/json", **headers)


def error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error", "request_id"} and body["error"]["status"] == status
    assert set(body["error"]) == {"status", "code", "message", "details"}
    return dict(body["error"])


def nothing_written(referral: Any) -> None:
    assert not Subject.objects.filter(referral=referral).exists()
    assert not SubjectAddition.objects.exists()
    assert not AuditEvent.objects.filter(action="referral.subject_add").exists()


def test_it_adds_a_person_and_answers_201_with_the_subject(
        client: Any, nameless: Any, handler: Any, token_for: Any) -> None:
    response = post(client, nameless, token_for(handler))
    assert response.status_code == 201, response.content
    out = response.json()
    subject = Subject.objects.get(referral=nameless)
    assert (out["id"], out["referral_id"], out["role"], out["given_names"]) == (
        subject.pk, nameless.pk, "reported", "Addy")
    assert out["date_of_birth"] == "1985-06-02"
    assert sorted(i["normalised"] for i in out["identifiers"]) == ["192.0.2.10", "addy.laterfound@example.com"]
    assert SubjectAddition.objects.get().reason == WHY
    event = AuditEvent.objects.get(action="referral.subject_add")
    assert event.target_id == str(nameless.pk) and event.actor == handler
    # The referral now answers with the person.
    read = client.get(f"/api/v1/referrals/{nameless.pk}", HTTP_AUTHORIZATION=f"Bearer {token_for(handler)}")
    assert [s["id"] for s in read.json()["subjects"]] == [subject.pk]


def test_another_unit_gets_404(client: Any, nameless: Any, outsider_supervisor: Any, token_for: Any) -> None:
    assert error(post(client, nameless, token_for(outsider_supervisor)), 404)["code"] == "not_found"
    nothing_written(nameless)


def test_a_role_that_does_not_correct_intake_gets_403(client: Any, nameless: Any, analyst: Any,
                                                      token_for: Any) -> None:
    body = error(post(client, nameless, token_for(analyst)), 403)
    assert body["details"] == [{"field": "capability", "reason": "needs progress_referrals"}]
    nothing_written(nameless)


def test_a_read_only_token_gets_403(client: Any, nameless: Any, handler: Any) -> None:
    _token, raw = ApiToken.issue(user=handler, name="reader")
    assert "read-only" in error(post(client, nameless, raw), 403)["message"]
    nothing_written(nameless)


def test_anonymous_gets_401(client: Any, nameless: Any) -> None:
    assert error(post(client, nameless, None), 401)["code"] == "unauthenticated"
    nothing_written(nameless)


def test_a_closed_referral_gets_409(client: Any, nameless: Any, handler: Any, supervisor: Any,
                                    token_for: Any) -> None:
    referral_transition(actor=supervisor, referral=nameless, to_status=Status.CLOSED, disposition="duplicate",
                        reason="Duplicate of a fictional earlier report.")
    body = error(post(client, nameless, token_for(handler)), 409)
    assert body["code"] == "conflict" and body["details"][0]["field"] == "referral"
    assert "closed" in body["details"][0]["reason"]
    nothing_written(nameless)


@pytest.mark.parametrize(("change", "field"), [
    ({"role": None}, "role"),
    ({"role": "ringleader"}, "role"),
    ({"reason": ""}, "reason"),
    ({"reason": "   "}, "reason"),
    ({"reason": "R" * 5001}, "reason"),
    ({"given_names": "G" * 100_000}, "given_names"),
    ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
    ({"date_of_birth": "0000-01-01"}, "date_of_birth"),
    ({"addresses": ["<script>alert(1)</script>"]}, "addresses[1]"),
    ({"identifiers": [{"kind": "shoe", "value": "9"}]}, "identifiers.0.kind"),
    ({"identifiers": [{"kind": "ip", "value": "192.0.2.300"}]}, "identifiers[1].value"),
    ({"given_names": "", "family_name": "", "date_of_birth": None, "addresses": [], "identifiers": []}, ""),
])
def test_hostile_input_gets_400_naming_the_field_and_writes_nothing(
        client: Any, nameless: Any, handler: Any, token_for: Any, change: dict[str, Any], field: str) -> None:
    body = {k: v for k, v in {**BODY, **change}.items() if v is not None}
    details = error(post(client, nameless, token_for(handler), body), 400)["details"]
    assert field in [d["field"] for d in details], details
    nothing_written(nameless)


@pytest.mark.parametrize("raw", [b'{"role": "reported", "given_names": "A\\u0000B", "reason": "x"}', b"{", b"[]",
                                 b'"text"', b"\x00"])
def test_malformed_bodies_get_400_without_a_500(client: Any, nameless: Any, handler: Any, token_for: Any,
                                                raw: bytes) -> None:
    error(post(client, nameless, token_for(handler), raw=raw), 400)
    nothing_written(nameless)


def test_the_openapi_document_names_every_answer(client: Any, handler: Any) -> None:
    client.force_login(handler)
    doc = client.get("/api/v1/openapi.json").json()
    operation = doc["paths"]["/api/v1/referrals/{referral_id}/subjects"]["post"]
    assert set(operation["responses"]) == {"201", "400", "401", "403", "404", "409"}
    assert operation["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/SubjectOut")
    schema = doc["components"]["schemas"]["SubjectAddIn"]
    assert {"role", "reason"} <= set(schema["required"])
