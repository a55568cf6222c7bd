"""Every transfer page and endpoint: anonymous to login (or 401), another unit 404, the wrong role 403, the right
people through; the page flow end to end (request in one unit, accept in the other)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from winnow.audit.models import AuditEvent
from winnow.core import referralpackage
from winnow.referrals.models import Referral
from winnow.transfers.models import PackageImport, Transfer, TransferDecision
from winnow.transfers.services import transfer_request

KEY, PUBLIC = referralpackage.new_key()


@pytest.fixture
def signing(settings: Any) -> None:
    settings.WINNOW_PACKAGE_KEY_ID = "northmoor-test"
    settings.WINNOW_PACKAGE_SIGNING_KEY = KEY


@pytest.fixture
def transfer(referral: Any, supervisor: Any, units: dict[str, Any]) -> Transfer:
    return transfer_request(actor=supervisor, referral=referral, to_unit=units["east"], reason="Lives in Eastvale.")


def _urls(referral: Any, transfer: Transfer) -> list[str]:
    return ["/transfers/", f"/transfers/{transfer.pk}/", f"/transfers/referrals/{referral.pk}/", "/transfers/import/"]


def test_it_sends_anonymous_to_login(client: Any, referral: Any, transfer: Transfer) -> None:
    for url in [*_urls(referral, transfer), f"/transfers/{transfer.pk}/decide/",
                f"/transfers/referrals/{referral.pk}/request/", f"/transfers/referrals/{referral.pk}/export/"]:
        response = client.post(url) if "/decide/" in url or url.endswith(("/request/", "/export/")) else client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_it_shows_the_pages_to_both_units(client: Any, referral: Any, transfer: Transfer, supervisor: Any,
                                          outsider_supervisor: Any) -> None:
    client.force_login(supervisor)
    for url in _urls(referral, transfer):
        assert client.get(url).status_code == 200, url
    client.force_login(outsider_supervisor)  # the receiving unit sees the transfer, not yet the referral
    assert client.get(f"/transfers/{transfer.pk}/").status_code == 200
    assert "Accept or decline" in client.get(f"/transfers/{transfer.pk}/").content.decode()
    assert referral.reference in client.get("/transfers/").content.decode()
    assert client.get(f"/transfers/referrals/{referral.pk}/").status_code == 404


def test_it_gives_a_third_unit_nothing(client: Any, referral: Any, transfer: Transfer, make_person: Any,
                                       units: dict[str, Any]) -> None:
    from winnow.accounts.models import Unit

    Unit.objects.create(code="south", name="Southwick Test Unit")
    units["south"] = Unit.objects.get(code="south")
    stranger = make_person("stan.south", "south", "supervisor")
    client.force_login(stranger)
    assert client.get(f"/transfers/{transfer.pk}/").status_code == 404
    assert client.post(f"/transfers/{transfer.pk}/decide/", {"decision": "accept", "reason": "x"}).status_code == 404
    assert client.post(f"/transfers/referrals/{referral.pk}/request/", {"reason": "x"}).status_code == 404
    assert client.post(f"/transfers/referrals/{referral.pk}/export/").status_code == 404
    assert referral.reference not in client.get("/transfers/").content.decode()
    assert not TransferDecision.objects.exists()


def test_it_refuses_the_wrong_role(client: Any, referral: Any, transfer: Transfer, handler: Any, outsider: Any,
                                   units: dict[str, Any]) -> None:
    client.force_login(handler)  # a handler of the sending unit reads, but neither requests nor exports
    assert client.post(f"/transfers/referrals/{referral.pk}/request/",
                       {"to_unit": units["east"].pk, "reason": "x"}).status_code == 403
    assert client.post(f"/transfers/referrals/{referral.pk}/export/").status_code == 403
    assert client.get("/transfers/import/").status_code == 403
    assert "Request the transfer" not in client.get(f"/transfers/referrals/{referral.pk}/").content.decode()
    client.force_login(outsider)  # a handler of the receiving unit does not decide
    assert client.post(f"/transfers/{transfer.pk}/decide/", {"decision": "accept", "reason": "x"}).status_code == 403
    assert "Accept or decline" not in client.get(f"/transfers/{transfer.pk}/").content.decode()
    assert not TransferDecision.objects.exists() and Transfer.objects.count() == 1


def test_it_runs_a_transfer_through_the_pages(client: Any, referral: Any, supervisor: Any, outsider_supervisor: Any,
                                              units: dict[str, Any]) -> None:
    client.force_login(supervisor)
    page = client.get(f"/transfers/referrals/{referral.pk}/").content.decode()
    assert "deadline restarts" in page  # the rule is stated where the transfer is asked for
    missing = client.post(f"/transfers/referrals/{referral.pk}/request/", {"to_unit": units["east"].pk})
    assert missing.status_code == 400 and "Say why" in missing.content.decode() and not Transfer.objects.exists()
    response = client.post(f"/transfers/referrals/{referral.pk}/request/",
                           {"to_unit": units["east"].pk, "reason": "The suspect moved to Eastvale."})
    transfer = Transfer.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/transfers/{transfer.pk}/"
    client.force_login(outsider_supervisor)
    accepted = client.post(f"/transfers/{transfer.pk}/decide/", {"decision": "accept", "reason": "Our area now."})
    assert accepted.status_code == 302 and accepted["Location"] == f"/referrals/{referral.pk}/"
    assert client.get(f"/referrals/{referral.pk}/").status_code == 200
    assert referral.reference in client.get("/queue/").content.decode()
    client.force_login(supervisor)  # the sending unit: the referral is gone from its pages, its held view stays
    assert client.get(f"/referrals/{referral.pk}/").status_code == 404
    assert referral.reference not in client.get("/queue/").content.decode()
    view = client.get(f"/transfers/{transfer.pk}/").content.decode()
    assert "What Northmoor Test Unit held" in view and "testy.mcfictional@example.com" in view
    assert AuditEvent.objects.filter(action="transfer.read", actor=supervisor, unit__code="north").exists()


def test_it_exports_and_imports_through_the_pages(client: Any, signing: None, referral: Any, supervisor: Any,
                                                  outsider_supervisor: Any, units: dict[str, Any]) -> None:
    client.force_login(supervisor)
    response = client.post(f"/transfers/referrals/{referral.pk}/export/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    data = response.content
    client.force_login(outsider_supervisor)
    bad = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, b"changed" if info.filename.startswith("packages/") else src.read(info))
    refused = client.post("/transfers/import/", {"unit": units["east"].pk,
                                                 "package": SimpleUploadedFile("p.zip", bad.getvalue())})
    assert refused.status_code == 400 and "SHA-256 differs" in refused.content.decode()
    assert not PackageImport.objects.exists()
    done = client.post("/transfers/import/", {"unit": units["east"].pk, "package": SimpleUploadedFile("p.zip", data)})
    record = PackageImport.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/referrals/{record.referral_id}/"
    assert Referral.objects.get(pk=record.referral_id).unit == units["east"]
    # A unit the importer does not belong to is not offered, and a forged choice is refused by the form.
    forged = client.post("/transfers/import/", {"unit": units["north"].pk, "package": SimpleUploadedFile("p.zip", data)})
    assert forged.status_code == 400 and PackageImport.objects.count() == 1


# ------------------------------------------------------------------------------------------------------- the API


def _auth(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_it_runs_a_transfer_through_the_api(client: Any, referral: Any, supervisor: Any, outsider_supervisor: Any,
                                            handler: Any, outsider: Any, token_for: Any) -> None:
    body = {"referral_id": referral.pk, "to_unit": "east", "reason": "Lives in Eastvale."}
    assert client.post("/api/v1/transfers", body, content_type="application/json").status_code == 401
    refused = client.post("/api/v1/transfers", body, content_type="application/json", **_auth(token_for(handler)))
    assert refused.status_code == 403 and refused.json()["error"]["details"][0]["reason"] == "needs transfer_referrals"
    assert client.post("/api/v1/transfers", body, content_type="application/json",
                       **_auth(token_for(outsider_supervisor))).status_code == 404
    unknown = client.post("/api/v1/transfers", body | {"to_unit": "nowhere"}, content_type="application/json",
                          **_auth(token_for(supervisor)))
    assert unknown.status_code == 400 and unknown.json()["error"]["details"][0]["field"] == "to_unit"
    sup = _auth(token_for(supervisor))
    made = client.post("/api/v1/transfers", body, content_type="application/json", **sup)
    assert made.status_code == 201 and made.json()["outcome"] == "Awaiting decision"
    tid = made.json()["id"]
    again = client.post("/api/v1/transfers", body, content_type="application/json", **sup)
    assert again.status_code == 409 and "awaiting a decision" in again.json()["error"]["message"]
    decision = {"accept": True, "reason": "Ours."}
    assert client.post(f"/api/v1/transfers/{tid}/decision", decision, content_type="application/json",
                       **sup).status_code == 403  # the sender does not decide
    assert client.post(f"/api/v1/transfers/{tid}/decision", decision, content_type="application/json",
                       **_auth(token_for(outsider))).status_code == 403
    east = _auth(token_for(outsider_supervisor))
    assert client.get(f"/api/v1/transfers/{tid}", **east).status_code == 200
    done = client.post(f"/api/v1/transfers/{tid}/decision", decision, content_type="application/json", **east)
    assert done.status_code == 200 and done.json()["decision"]["accepted"] is True
    assert Referral.objects.get(pk=referral.pk).unit.code == "east"
    assert [t["id"] for t in client.get("/api/v1/transfers", **sup).json()] == [tid]
    twice = client.post(f"/api/v1/transfers/{tid}/decision", decision, content_type="application/json", **east)
    assert twice.status_code == 409


def test_it_hides_a_transfer_from_a_third_unit_in_the_api(client: Any, transfer: Transfer, make_person: Any,
                                                          token_for: Any) -> None:
    from winnow.accounts.models import Membership, Unit

    south = Unit.objects.create(code="south", name="Southwick Test Unit")
    stranger = make_person("stan.south", "east", "handler")
    Membership.objects.filter(user=stranger).update(unit=south)
    auth = _auth(token_for(stranger))
    assert client.get(f"/api/v1/transfers/{transfer.pk}", **auth).status_code == 404
    assert client.get("/api/v1/transfers", **auth).json() == []
    assert client.post(f"/api/v1/transfers/{transfer.pk}/decision", {"accept": False, "reason": "x"},
                       content_type="application/json", **auth).status_code == 404
