"""The API: token personas (right unit, other unit, anonymous), one error shape, raw bodies kept verbatim."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from winnow.audit.models import AuditEvent
from winnow.referrals.models import Referral

BODY = {
    "unit": "north",
    "source": "nca_ceop",
    "source_reference": "NCA-API-0001",
    "received_at": "2026-11-18T09:00:00Z",
    "summary": "Fictional API referral.",
    "immediate_danger": True,
    "subjects": [{
        "given_names": "Ada", "family_name": "Placeholder", "sex": "female", "date_of_birth": "1975-02-03",
        "identifiers": [{"kind": "username", "value": "AdaP", "platform": "ExampleChat"},
                        {"kind": "ip", "value": "2001:db8::7", "observed_at": "2026-11-17T20:00:00Z"}],
    }],
}


def _bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _assert_error_shape(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "request_id"}
    assert set(body["error"]) == {"status", "code", "message", "details"}
    assert body["error"]["status"] == status
    return body


def test_it_creates_a_referral_and_keeps_the_request_body_verbatim(client: Any, handler: Any, token_for: Any) -> None:
    raw = json.dumps(BODY, indent=3).encode()
    response = client.post("/api/v1/referrals", raw, content_type="application/json", **_bearer(token_for(handler)))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["immediate_danger"] is True and data["unit"] == "north"
    assert [i["normalised"] for i in data["subjects"][0]["identifiers"]] == ["2001:db8::7", "examplechat:adap"] or \
        sorted(i["normalised"] for i in data["subjects"][0]["identifiers"]) == ["2001:db8::7", "examplechat:adap"]
    referral = Referral.objects.get(pk=data["id"])
    assert bytes(referral.package.content) == raw
    assert data["package"]["sha256"] == hashlib.sha256(raw).hexdigest()


def test_it_reads_a_referral_in_the_users_unit_and_audits_it(client: Any, investigator: Any, referral: Any, token_for: Any) -> None:
    response = client.get(f"/api/v1/referrals/{referral.pk}", **_bearer(token_for(investigator)))
    assert response.status_code == 200
    assert response.json()["reference"] == referral.reference
    assert AuditEvent.objects.filter(action="referral.read", actor=investigator, detail__via="api").count() == 1


def test_it_reads_a_subject_and_audits_it(client: Any, investigator: Any, referral: Any, token_for: Any) -> None:
    subject = referral.subjects.get()
    response = client.get(f"/api/v1/subjects/{subject.pk}", **_bearer(token_for(investigator)))
    assert response.status_code == 200
    assert response.json()["identifiers"][0]["kind"] in {"email", "phone", "ip"}
    assert AuditEvent.objects.filter(action="subject.read", target_id=str(subject.pk)).count() == 1


@pytest.mark.parametrize("path", ["/api/v1/referrals/{r}", "/api/v1/subjects/{s}"])
def test_it_gives_another_unit_404(client: Any, outsider: Any, referral: Any, token_for: Any, path: str) -> None:
    url = path.format(r=referral.pk, s=referral.subjects.get().pk)
    _assert_error_shape(client.get(url, **_bearer(token_for(outsider))), 404)


def test_it_lists_only_the_users_units(client: Any, outsider: Any, handler: Any, referral: Any, token_for: Any) -> None:
    assert client.get("/api/v1/referrals", **_bearer(token_for(outsider))).json()["count"] == 0
    assert client.get("/api/v1/referrals", **_bearer(token_for(handler))).json()["count"] == 1


@pytest.mark.parametrize("path", ["/api/v1/referrals", "/api/v1/referrals/{r}", "/api/v1/subjects/{s}"])
@pytest.mark.parametrize("auth", [{}, {"HTTP_AUTHORIZATION": "Bearer wnw_not-a-token"}, {"HTTP_AUTHORIZATION": "Basic eDp5"}])
def test_it_gives_anonymous_401(client: Any, referral: Any, path: str, auth: dict[str, str]) -> None:
    url = path.format(r=referral.pk, s=referral.subjects.get().pk)
    _assert_error_shape(client.get(url, **auth), 401)


def test_it_refuses_a_revoked_token(client: Any, handler: Any, token_for: Any) -> None:
    from django.utils import timezone

    from winnow.accounts.models import ApiToken

    token = token_for(handler)
    ApiToken.objects.filter(user=handler).update(revoked_at=timezone.now())
    _assert_error_shape(client.get("/api/v1/referrals", **_bearer(token)), 401)


def test_it_refuses_creating_in_another_unit(client: Any, outsider: Any, token_for: Any) -> None:
    body = _assert_error_shape(
        client.post("/api/v1/referrals", BODY, content_type="application/json", **_bearer(token_for(outsider))), 400)
    assert body["error"]["details"][0]["field"] == "unit"
    assert not Referral.objects.exists()


def test_it_refuses_creating_to_a_role_that_does_not_record(client: Any, investigator: Any, token_for: Any) -> None:
    _assert_error_shape(
        client.post("/api/v1/referrals", BODY, content_type="application/json", **_bearer(token_for(investigator))), 403)


@pytest.mark.parametrize(("change", "field"), [
    ({"received_at": "yesterday"}, "received_at"),
    ({"source": "rumour"}, "source"),
    ({"summary": "=HYPERLINK(\"http://example.com\")"}, "summary"),
    ({"summary": "<script>alert(1)</script>"}, "summary"),
    ({"received_at": 12}, "received_at"),
])
def test_it_rejects_bad_input_with_the_field_and_writes_nothing(
    client: Any, handler: Any, token_for: Any, change: dict[str, Any], field: str
) -> None:
    body = _assert_error_shape(client.post(
        "/api/v1/referrals", BODY | change, content_type="application/json", **_bearer(token_for(handler))), 400)
    assert any(field in d["field"] for d in body["error"]["details"]), body
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.filter(action="referral.create").exists()


@pytest.mark.parametrize("danger", ["absent", None])
def test_it_requires_the_immediate_danger_answer(client: Any, handler: Any, token_for: Any, danger: Any) -> None:
    body = {k: v for k, v in BODY.items() if k != "immediate_danger"}
    if danger != "absent":
        body["immediate_danger"] = danger
    reply = _assert_error_shape(client.post(
        "/api/v1/referrals", body, content_type="application/json", **_bearer(token_for(handler))), 400)
    assert any("immediate_danger" in d["field"] for d in reply["error"]["details"]), reply
    assert not Referral.objects.exists()


@pytest.mark.parametrize("raw", [b"{not json", b"", b"[]", b"\xff\xfe\x00", json.dumps({"unit": "north"}).encode()])
def test_it_rejects_malformed_bodies_without_a_500(client: Any, handler: Any, token_for: Any, raw: bytes) -> None:
    response = client.post("/api/v1/referrals", raw, content_type="application/json", **_bearer(token_for(handler)))
    _assert_error_shape(response, 400)


def test_it_serves_an_openapi_document(client: Any, handler: Any) -> None:
    client.force_login(handler)
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["info"]["title"] == "Winnow API"
    assert {"/api/v1/referrals", "/api/v1/referrals/{referral_id}", "/api/v1/subjects/{subject_id}"} <= set(doc["paths"])
    assert doc["paths"]["/api/v1/referrals"]["post"]["responses"]["400"]


def test_it_answers_unknown_api_paths_with_the_error_shape(client: Any, handler: Any, token_for: Any) -> None:
    response = client.get("/api/v1/nothing-here", **_bearer(token_for(handler)))
    assert response.status_code == 404


def test_it_answers_intake_facts_as_corrected_with_the_history(
    client: Any, handler: Any, investigator: Any, referral: Any, token_for: Any
) -> None:
    """A danger learnt later is what the API reports (as the queue and the page do); every correction, with the
    value it replaced, is listed, so the value as recorded is still readable."""
    from winnow.intake.corrections import referral_correct

    subject = referral.subjects.get()
    referral_correct(actor=handler, referral=referral, field="immediate_danger", value=True,
                     reason="The referrer phoned: the child lives there (fictional).")
    referral_correct(actor=handler, referral=referral, field="summary", value="Fictional corrected summary.",
                     reason="The first summary named the wrong platform.")
    referral_correct(actor=handler, referral=referral, field="family_name", value="McFictitious", subject=subject,
                     reason="Spelling confirmed by the platform (fictional).")
    referral_correct(actor=handler, referral=referral, field="immediate_danger", value=False,
                     reason="A welfare visit found the child safe (fictional).")
    referral_correct(actor=handler, referral=referral, field="immediate_danger", value=True,
                     reason="The child is back at the address (fictional).")
    token = token_for(investigator)

    data = client.get(f"/api/v1/referrals/{referral.pk}", **_bearer(token)).json()
    assert data["immediate_danger"] is True and referral.immediate_danger is False  # current, not as recorded
    assert data["summary"] == "Fictional corrected summary."
    assert data["subjects"][0]["family_name"] == "McFictitious"
    assert data["subjects"][0]["given_names"] == "Testy"  # uncorrected facts as recorded
    danger = [c for c in data["corrections"] if c["field"] == "immediate_danger"]
    assert [(c["before"], c["after"]) for c in danger] == [(False, True), (True, False), (False, True)]
    assert danger[1]["corrects_id"] == danger[0]["id"] and danger[0]["corrects_id"] is None
    assert {c["created_by"] for c in data["corrections"]} == {"hannah.handler"}
    name = next(c for c in data["corrections"] if c["field"] == "family_name")
    assert (name["subject_id"], name["before"], name["after"]) == (subject.pk, "McFictional", "McFictitious")

    listed = client.get("/api/v1/referrals", **_bearer(token)).json()["results"]
    assert [r["immediate_danger"] for r in listed if r["id"] == referral.pk] == [True]
    alone = client.get(f"/api/v1/subjects/{subject.pk}", **_bearer(token)).json()
    assert alone["family_name"] == "McFictitious"


def test_it_answers_an_uncorrected_referral_as_recorded(client: Any, investigator: Any, referral: Any,
                                                        token_for: Any) -> None:
    data = client.get(f"/api/v1/referrals/{referral.pk}", **_bearer(token_for(investigator))).json()
    assert (data["immediate_danger"], data["corrections"]) == (False, [])
    assert data["received_at"].startswith("2026-11-02T10:15:00")


def test_lists_show_the_source_and_received_time_as_corrected(
    client: Any, handler: Any, investigator: Any, referral: Any, token_for: Any
) -> None:
    """The API's list and the referrals page show a corrected source and received time, as the referral's own
    answer does; the second correction is the one shown, and an uncorrected referral stays as recorded."""
    from datetime import UTC, datetime

    from winnow.intake.corrections import referral_correct

    assert referral.source != "public"
    referral_correct(actor=handler, referral=referral, field="source", value="other_agency",
                     reason="The package came through another agency (fictional).")
    referral_correct(actor=handler, referral=referral, field="source", value="public",
                     reason="A member of the public reported it first (fictional).")
    referral_correct(actor=handler, referral=referral, field="received_at",
                     value=datetime(2026, 11, 1, 9, 30, tzinfo=UTC), reason="The email arrived a day earlier.")
    token = token_for(investigator)
    single = client.get(f"/api/v1/referrals/{referral.pk}", **_bearer(token)).json()
    listed = [r for r in client.get("/api/v1/referrals", **_bearer(token)).json()["results"] if r["id"] == referral.pk]
    assert [(r["source"], r["received_at"][:16]) for r in listed] == [("public", "2026-11-01T09:30")]
    assert single["source"] == listed[0]["source"]

    client.force_login(investigator)
    page = client.get("/referrals/").content.decode()
    row = page[page.index(referral.reference):].split("</tr>")[0]
    assert "Member of the public" in row and "01 Nov 2026" in row
