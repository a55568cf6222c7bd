"""GET /api/v1/linkage/referrals/{id}/links: every link with its reason; another unit gets 404; no token 401."""

from __future__ import annotations

from typing import Any

from django.test import Client

from .support import record


def test_it_returns_links_with_why(referral: Any, handler: Any, outsider: Any, units: dict[str, Any], token_for: Any) -> None:
    new = record(handler, units["north"], subjects=[{"role": "reported", "given_names": "T", "family_name": "M",
                 "identifiers": [{"kind": "phone", "value": "07700 900123"}]}])
    record(outsider, units["east"], subjects=[{"role": "reported", "given_names": "T", "family_name": "M",
           "identifiers": [{"kind": "phone", "value": "+447700900123"}]}])
    client = Client()
    body = client.get(f"/api/v1/linkage/referrals/{new.pk}/links", HTTP_AUTHORIZATION=f"Bearer {token_for(handler)}").json()
    assert body["links"] == [{"referral": new.reference, "linked_referral": referral.reference,
                              "subject_id": new.subjects.get().pk, "linked_subject_id": referral.subjects.get().pk,
                              "kind": "phone", "why": "same phone number +447700900123"}]
    assert body["also_known_to"] == ["Eastvale Test Unit"]
    outside = client.get(f"/api/v1/linkage/referrals/{new.pk}/links", HTTP_AUTHORIZATION=f"Bearer {token_for(outsider)}")
    assert outside.status_code == 404 and outside.json()["error"]["code"] == "not_found"
    anonymous = client.get(f"/api/v1/linkage/referrals/{new.pk}/links")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthenticated"
