"""Requests for information through the API, with the usual personas: either side reads, only the asked unit
answers, a third unit gets 404, the wrong role 403, no token 401, bad input 400 naming the field."""

from __future__ import annotations

from typing import Any

from django.test import Client

from winnow.accounts.models import Membership, Unit, User
from winnow.partners.models import InformationAnswer, InformationRequest


def _call(method: str, url: str, token: str | None, body: dict[str, Any] | None = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    client = Client()
    if method == "get":
        return client.get(url, **headers)
    return client.post(url, body or {}, content_type="application/json", **headers)


def test_it_asks_and_answers_through_the_api(linked: Any, east_handler: Any, handler: Any, token_for: Any) -> None:
    east, north = token_for(east_handler), token_for(handler)
    created = _call("post", "/api/v1/partners/requests", east, {"link": linked.pk, "question": "Current address?"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["from_unit"], body["to_unit"], body["answered"]) == ("east", "north", False)
    listed = _call("get", "/api/v1/partners/requests", north).json()
    assert (listed["count"], listed["page"], [r["id"] for r in listed["results"]]) == (1, 1, [body["id"]])
    answered = _call("post", f"/api/v1/partners/requests/{body['id']}/answer", north, {"answer": "Known to us."})
    assert answered.status_code == 201 and answered.json()["answer"] == "Known to us."
    assert _call("get", f"/api/v1/partners/requests/{body['id']}", east).json()["answered"] is True
    again = _call("post", f"/api/v1/partners/requests/{body['id']}/answer", north, {"answer": "Twice."})
    assert again.status_code == 400 and again.json()["error"]["details"][0]["field"] == "answer"


def test_api_personas(linked: Any, east_handler: Any, east_analyst: Any, handler: Any, token_for: Any) -> None:
    rfi = _call("post", "/api/v1/partners/requests", token_for(east_handler),
                {"link": linked.pk, "question": "Q?"}).json()
    url = f"/api/v1/partners/requests/{rfi['id']}"
    west = Unit.objects.create(code="west", name="Westmarch Test Unit")
    stranger = User.objects.create_user(username="walt.west")
    Membership.objects.create(user=stranger, unit=west, role="supervisor")
    assert _call("get", url, token_for(stranger)).status_code == 404
    assert _call("post", f"{url}/answer", token_for(stranger), {"answer": "x"}).status_code == 404
    assert _call("post", "/api/v1/partners/requests", token_for(stranger),
                 {"link": linked.pk, "question": "?"}).status_code == 404
    assert _call("get", "/api/v1/partners/requests", token_for(stranger)).json() == {"count": 0, "page": 1, "results": []}
    analyst = token_for(east_analyst)
    refused = _call("post", "/api/v1/partners/requests", analyst, {"link": linked.pk, "question": "?"})
    assert refused.status_code == 403 and refused.json()["error"]["status"] == 403
    assert _call("post", f"{url}/answer", token_for(east_handler), {"answer": "mine"}).status_code == 403
    assert _call("get", url, None).status_code == 401
    assert _call("post", f"{url}/answer", None, {"answer": "x"}).status_code == 401
    bad = _call("post", "/api/v1/partners/requests", token_for(east_handler), {"link": linked.pk, "question": " "})
    assert bad.status_code == 400 and bad.json()["error"]["details"][0]["field"] == "question"
    assert InformationRequest.objects.count() == 1 and not InformationAnswer.objects.exists()


def test_it_lists_requests_in_pages_of_100(linked: Any, east_handler: Any, handler: Any, token_for: Any) -> None:
    """Every request is reachable: page 2 holds what page 1 could not (the list was once cut at 500 without a word)."""
    east = token_for(east_handler)
    made = [_call("post", "/api/v1/partners/requests", east, {"link": linked.pk, "question": f"Question {i}?"})
            .json()["id"] for i in range(101)]
    first = _call("get", "/api/v1/partners/requests", token_for(handler)).json()
    second = _call("get", "/api/v1/partners/requests?page=2", token_for(handler)).json()
    assert first["count"] == second["count"] == 101 and len(first["results"]) == 100
    assert [r["id"] for r in first["results"] + second["results"]] == sorted(made)  # same deadline: oldest first
    for bad in ("0", "100001", "x", "99999999999999999999"):
        refused = _call("get", f"/api/v1/partners/requests?page={bad}", east)
        assert refused.status_code == 400 and refused.json()["error"]["details"][0]["field"] == "query.page", bad
    misspelt = _call("get", "/api/v1/partners/requests?pgae=2", east)
    assert misspelt.status_code == 400 and misspelt.json()["error"]["details"] == [
        {"field": "query.pgae", "reason": "not a parameter of this operation, which takes page"}]
