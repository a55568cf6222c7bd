"""No 500 from input (issue 16 item 4): NUL and control characters, huge page numbers, huge integers, the
source-reference race. Each runs on SQLite and PostgreSQL (PostgreSQL is where NUL used to be a 500)."""

from __future__ import annotations

import html
import json
import threading
from typing import Any

import pytest
from django.db import connection

from winnow.assessments.models import Assessment, BandDecision
from winnow.input_guard import shown
from winnow.intake import services as intake_services
from winnow.referrals.models import Referral

BODY = {
    "unit": "north", "source": "nca_ceop", "source_reference": "NCA-RACE-0001",
    "received_at": "2026-11-18T09:00:00Z", "summary": "Fictional API referral.", "immediate_danger": False,
    "subjects": [{"given_names": "Ada", "family_name": "Placeholder"}],
}


def _bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _api_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert body["error"]["status"] == status
    return body["error"]


# ------------------------------------------------------------------------------------------------ NUL and controls
@pytest.mark.parametrize("url", [
    "/referrals/?q=%00", "/referrals/?q=ab%00cd", "/queue/?status=%00", "/queue/?band=%01", "/audit/?q=%00",
    "/referrals/?%00=x", "/validation/?instrument=%00",
])
def test_a_control_character_in_a_query_string_is_a_400_naming_it(client: Any, investigator: Any, url: str) -> None:
    client.force_login(investigator)
    response = client.get(url)
    assert response.status_code == 400
    text = response.content.decode()
    assert "query parameter" in text and "control character U+00" in text


def test_anonymous_and_other_unit_users_get_the_same_400_and_no_data(client: Any, outsider: Any, referral: Any) -> None:
    assert client.get("/referrals/?q=%00").status_code == 400  # anonymous: refused before any view
    client.force_login(outsider)
    response = client.get("/referrals/?q=%00")
    assert response.status_code == 400 and referral.reference not in response.content.decode()


def test_tab_and_newlines_are_still_accepted(client: Any, investigator: Any) -> None:
    client.force_login(investigator)
    assert client.get("/referrals/?q=a%09b%0D%0Ac").status_code == 200


def test_a_nul_in_a_band_decision_rationale_is_refused_and_nothing_is_written(
    client: Any, supervisor: Any, referral: Any, handler: Any,
) -> None:
    subject = referral.subjects.first()
    assessment = Assessment.objects.create(
        referral=referral, subject=subject, instrument_id="phased-prioritisation", instrument_version="0.1.0",
        instrument_sha256="0" * 64, instrument_title="t", answers={}, band="high", decided_by="rule", explanation=[],
        unknown_count=0, created_by=handler)
    client.force_login(supervisor)
    response = client.post(f"/assessments/{assessment.pk}/decide/",
                           {"decision": "override", "decided_band": "low", "rationale": "because\x00"})
    assert response.status_code == 400
    assert "field 'rationale' contains the control character U+0000" in html.unescape(response.content.decode())
    assert not BandDecision.objects.exists()


def test_the_api_refuses_a_nul_in_a_json_string_with_its_error_shape(
    client: Any, handler: Any, token_for: Any, units: Any,
) -> None:
    body = {**BODY, "summary": "fictional\u0000summary"}
    error = _api_error(client.post("/api/v1/referrals", json.dumps(body), content_type="application/json",
                                   **_bearer(token_for(handler))), 400)
    assert "JSON field 'summary'" in error["message"]
    assert not Referral.objects.exists()


@pytest.mark.parametrize("query", ["status=%00", "unit=%00", "status=closed%00"])
def test_the_api_refuses_a_nul_in_a_query_parameter(client: Any, handler: Any, token_for: Any, query: str) -> None:
    _api_error(client.get(f"/api/v1/referrals?{query}", **_bearer(token_for(handler))), 400)


def test_a_nul_in_a_nested_json_key_is_named(client: Any, handler: Any, token_for: Any, units: Any) -> None:
    body = {**BODY, "subjects": [{"given_names": "Ada", "fam\u0000ily": "x"}]}
    error = _api_error(client.post("/api/v1/referrals", json.dumps(body), content_type="application/json",
                                   **_bearer(token_for(handler))), 400)
    assert "subjects[0].fam" in error["message"]


# ------------------------------------------------------------------------------------------------ huge numbers
@pytest.mark.parametrize("url", [
    "/queue/?page=99999999999999999999", "/queue/?page=-5", "/queue/?page=abc",
    "/referrals/?page=99999999999999999999", "/notifications/?page=99999999999999999999",
    "/linkage/proposals/?page=99999999999999999999", "/audit/?page=99999999999999999999",
])
def test_a_huge_or_silly_page_number_on_a_page_is_not_an_error(client: Any, supervisor: Any, referral: Any,
                                                                url: str) -> None:
    client.force_login(supervisor)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("page", ["99999999999999999999", "100001", "0", "-1", "1e3", "9" * 5000])
def test_the_api_bounds_its_page_numbers_with_a_400(client: Any, handler: Any, token_for: Any, page: str) -> None:
    error = _api_error(client.get(f"/api/v1/referrals?page={page}", **_bearer(token_for(handler))), 400)
    assert error["details"] and error["details"][0]["field"].endswith("page")
    assert len(error["message"]) < 300


def test_the_last_allowed_api_page_answers(client: Any, handler: Any, token_for: Any) -> None:
    response = client.get("/api/v1/referrals?page=100000", **_bearer(token_for(handler)))
    assert response.status_code == 200 and response.json()["results"] == []


def test_a_5000_digit_integer_in_an_api_body_is_a_400(client: Any, handler: Any, token_for: Any, units: Any) -> None:
    raw = json.dumps(BODY).replace('"immediate_danger": false', '"immediate_danger": ' + "9" * 5000)
    response = client.post("/api/v1/referrals", raw, content_type="application/json", **_bearer(token_for(handler)))
    assert 400 <= response.status_code < 500
    assert not Referral.objects.exists()


def test_a_huge_referral_id_in_a_path_is_a_404(client: Any, handler: Any, token_for: Any) -> None:
    response = client.get("/api/v1/referrals/99999999999999999999", **_bearer(token_for(handler)))
    assert 400 <= response.status_code < 500
    client.force_login(handler)
    assert client.get("/referrals/99999999999999999999/").status_code == 404


# ------------------------------------------------------------------------------------------------ the race
def test_a_source_reference_recorded_between_check_and_insert_is_a_409(
    client: Any, handler: Any, token_for: Any, units: Any, monkeypatch: Any,
) -> None:
    """The check passes (as it would for both of two simultaneous requests); the insert then meets the unique
    constraint the other request's row holds."""
    token = token_for(handler)
    first = client.post("/api/v1/referrals", json.dumps(BODY), content_type="application/json", **_bearer(token))
    assert first.status_code == 201
    real = intake_services._check_source_references
    calls = []

    def check_once_too_early(unit: Any, drafts: Any) -> None:
        calls.append(1)
        if len(calls) > 1:  # the re-check after the IntegrityError sees the winner, as it would in a real race
            real(unit, drafts)

    monkeypatch.setattr(intake_services, "_check_source_references", check_once_too_early)
    second = client.post("/api/v1/referrals", json.dumps({**BODY, "summary": "second"}),
                         content_type="application/json", **_bearer(token))
    error = _api_error(second, 409)
    assert "NCA-RACE-0001" in error["details"][0]["reason"]
    assert Referral.objects.count() == 1


def test_a_plain_duplicate_source_reference_is_a_409_too(client: Any, handler: Any, token_for: Any, units: Any) -> None:
    token = token_for(handler)
    assert client.post("/api/v1/referrals", json.dumps(BODY), content_type="application/json",
                       **_bearer(token)).status_code == 201
    _api_error(client.post("/api/v1/referrals", json.dumps(BODY), content_type="application/json", **_bearer(token)),
               409)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_requests_with_one_source_reference_give_one_201_and_one_409(
    handler: Any, token_for: Any, units: Any,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers on one file lock; the real race needs PostgreSQL")
    from django.test import Client

    token = token_for(handler)
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def post(n: int) -> None:
        try:
            barrier.wait()
            response = Client().post("/api/v1/referrals", json.dumps({**BODY, "summary": f"racer {n}"}),
                                     content_type="application/json", **_bearer(token))
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 409, 409, 409]
    assert Referral.objects.filter(source_reference="NCA-RACE-0001").count() == 1


def test_an_excerpt_is_short() -> None:
    assert shown("x" * 20_000_000).endswith("…") and len(shown("x" * 20_000_000)) == 80
    assert shown("a\x00b") == "a?b"
