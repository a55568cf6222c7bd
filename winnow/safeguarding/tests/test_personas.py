"""Every safeguarding page and endpoint: the right unit and role allowed, another unit 404 (or nothing shown),
anonymous to sign-in (pages) or 401 (API), a role that does not record safeguarding referrals 403."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import timezone

from winnow.safeguarding.models import Concern, SafeguardingReferral
from winnow.safeguarding.services import safeguarding_referral_record

FORM = {"made_at": "2026-12-01T10:00", "local_authority": "Northmoor Borough Council (fictional)",
        "recipient": "MASH duty desk", "strategy_held_on": "", "strategy_outcome": "", "strategy_notes": ""}


@pytest.fixture
def scene(make_referral: Any, investigator: Any, facts: Any, make_person: Any) -> dict[str, Any]:
    referral = make_referral(danger=True)
    record = safeguarding_referral_record(actor=investigator, referral=referral,
                                          concerns=list(Concern.objects.filter(referral=referral)), **facts())
    return {"referral": referral, "record": record, "open": make_referral(danger=True),
            "analyst": make_person("andy.analyst", "north", "analyst"),
            "forensic": make_person("fran.forensic", "north", "forensic")}


def _urls(scene: dict[str, Any]) -> list[str]:
    return ["/safeguarding/", f"/safeguarding/referrals/{scene['referral'].pk}/",
            f"/safeguarding/referrals/{scene['open'].pk}/new/", f"/safeguarding/records/{scene['record'].pk}/revise/"]


def test_it_sends_anonymous_to_sign_in(client: Any, scene: dict[str, Any]) -> None:
    for url in _urls(scene):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
        assert client.post(url, FORM).status_code == 302
    assert SafeguardingReferral.objects.count() == 1


@pytest.mark.parametrize("who", ["handler", "investigator", "supervisor"])
def test_it_shows_the_recording_roles_every_page(client: Any, scene: dict[str, Any], who: str,
                                                 request: Any) -> None:
    client.force_login(request.getfixturevalue(who))
    for url in _urls(scene):
        assert client.get(url).status_code == 200, url
    assert scene["open"].reference in client.get("/safeguarding/").content.decode()


def test_it_refuses_roles_that_do_not_record(client: Any, scene: dict[str, Any]) -> None:
    for user in (scene["analyst"], scene["forensic"]):
        client.force_login(user)
        urls = _urls(scene)
        assert client.get(urls[0]).status_code == 403
        page = client.get(urls[1])  # every member reads a referral's safeguarding, without the buttons
        assert page.status_code == 200 and "Record a safeguarding referral" not in page.content.decode()
        for url in urls[2:]:
            assert client.get(url).status_code == 403, url
            assert client.post(url, FORM).status_code == 403, url
    assert SafeguardingReferral.objects.count() == 1


def test_it_gives_another_unit_404_and_nothing_in_its_list(client: Any, scene: dict[str, Any],
                                                           outsider_supervisor: Any) -> None:
    client.force_login(outsider_supervisor)
    urls = _urls(scene)
    list_page = client.get(urls[0])
    assert list_page.status_code == 200 and scene["open"].reference not in list_page.content.decode()
    for url in urls[1:]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, FORM).status_code == 404, url
    assert SafeguardingReferral.objects.count() == 1


def test_an_investigator_records_and_corrects_through_the_pages(client: Any, scene: dict[str, Any],
                                                                investigator: Any) -> None:
    client.force_login(investigator)
    open_referral = scene["open"]
    response = client.post(f"/safeguarding/referrals/{open_referral.pk}/new/", {
        **FORM, "made_by": investigator.pk, "concerns": [c.pk for c in Concern.objects.filter(referral=open_referral)]})
    assert response.status_code == 302
    record = SafeguardingReferral.objects.get(referral=open_referral)
    assert not Concern.objects.filter(referral=open_referral).uncovered().exists()
    bad = client.post(f"/safeguarding/records/{record.pk}/revise/", {**FORM, "made_by": investigator.pk, "reason": ""})
    assert bad.status_code == 200 and "This field is required" in bad.content.decode()
    response = client.post(f"/safeguarding/records/{record.pk}/revise/", {
        **FORM, "made_by": investigator.pk, "recipient": "Emergency duty team", "reason": "Wrong team recorded."})
    assert response.status_code == 302
    page = client.get(f"/safeguarding/referrals/{open_referral.pk}/").content.decode()
    assert "Emergency duty team" in page and "MASH duty desk" in page  # the first version stays visible
    assert "Wrong team recorded." in page


# ----------------------------------------------------------------------------------------------------------- API


def _bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _body(investigator: Any, **changes: Any) -> dict[str, Any]:
    return {"made_at": timezone.now().isoformat(), "local_authority": "Northmoor Borough Council (fictional)",
            "recipient": "MASH duty desk", "made_by": investigator.get_username(), **changes}


def test_the_api_refuses_no_token_with_401(client: Any, scene: dict[str, Any]) -> None:
    referral, record = scene["open"], scene["record"]
    assert client.get("/api/v1/safeguarding/concerns").status_code == 401
    assert client.get(f"/api/v1/safeguarding/referrals/{referral.pk}").status_code == 401
    assert client.post(f"/api/v1/safeguarding/referrals/{referral.pk}/records", "{}",
                       content_type="application/json").status_code == 401
    assert client.post(f"/api/v1/safeguarding/records/{record.pk}/versions", "{}",
                       content_type="application/json").status_code == 401


def test_the_api_refuses_a_role_that_does_not_record_with_403_naming_the_capability(
        client: Any, scene: dict[str, Any], token_for: Any, investigator: Any) -> None:
    headers = _bearer(token_for(scene["analyst"]))
    response = client.get("/api/v1/safeguarding/concerns", **headers)
    assert response.status_code == 403
    assert response.json()["error"]["details"] == [{"field": "capability", "reason": "needs record_safeguarding"}]
    assert client.get(f"/api/v1/safeguarding/referrals/{scene['referral'].pk}", **headers).status_code == 200
    for url in (f"/api/v1/safeguarding/referrals/{scene['open'].pk}/records",
                f"/api/v1/safeguarding/records/{scene['record'].pk}/versions"):
        response = client.post(url, json.dumps(_body(investigator, reason="x")), content_type="application/json",
                               **headers)
        assert response.status_code == 403, url
    assert SafeguardingReferral.objects.count() == 1


def test_the_api_gives_another_unit_404_and_an_empty_list(client: Any, scene: dict[str, Any], token_for: Any,
                                                          outsider_supervisor: Any, investigator: Any) -> None:
    headers = _bearer(token_for(outsider_supervisor))
    assert client.get("/api/v1/safeguarding/concerns?show=all", **headers).json()["count"] == 0
    assert client.get(f"/api/v1/safeguarding/referrals/{scene['referral'].pk}", **headers).status_code == 404
    for url in (f"/api/v1/safeguarding/referrals/{scene['open'].pk}/records",
                f"/api/v1/safeguarding/records/{scene['record'].pk}/versions"):
        response = client.post(url, json.dumps(_body(investigator, reason="x")), content_type="application/json",
                               **headers)
        assert response.status_code == 404, url
    assert SafeguardingReferral.objects.count() == 1


def test_the_api_records_lists_and_versions_for_the_right_role(client: Any, scene: dict[str, Any],
                                                               token_for: Any, investigator: Any) -> None:
    headers = _bearer(token_for(investigator))
    listed = client.get("/api/v1/safeguarding/concerns", **headers).json()
    assert [c["reference"] for c in listed["results"]] == [scene["open"].reference]
    assert listed["results"][0]["state"] == "due"
    concern = Concern.objects.get(referral=scene["open"])
    bad = client.post(f"/api/v1/safeguarding/referrals/{scene['open'].pk}/records",
                      json.dumps(_body(investigator, local_authority="", concerns=[concern.pk])),
                      content_type="application/json", **headers)
    assert bad.status_code == 400 and bad.json()["error"]["details"][0]["field"] == "local_authority"
    made = client.post(f"/api/v1/safeguarding/referrals/{scene['open'].pk}/records",
                       json.dumps(_body(investigator, concerns=[concern.pk])), content_type="application/json",
                       **headers)
    assert made.status_code == 201 and made.json()["concerns"] == [concern.pk]
    version = client.post(f"/api/v1/safeguarding/records/{made.json()['id']}/versions", json.dumps(_body(
        investigator, strategy_held_on=timezone.localdate().isoformat(), strategy_outcome="section_17",
        reason="Strategy discussion held.")), content_type="application/json", **headers)
    assert version.status_code == 201 and version.json()["version"] == 2
    read = client.get(f"/api/v1/safeguarding/referrals/{scene['open'].pk}", **headers).json()
    assert [r["version"] for r in read["records"]] == [1, 2] and read["concerns"][0]["state"] == "made"
