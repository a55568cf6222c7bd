"""A new referral's subject is linked at intake to earlier subjects sharing a normalised identifier, in the same
unit, each link saying which identifier made it; another unit learns only "also known to <unit>"."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from winnow.audit.models import AuditEvent
from winnow.linkage.models import IdentifierLink, KnownElsewhere
from winnow.permanence import ImmutableError

from .support import record


def _subject(*identifiers: dict[str, Any], name: str = "Testy") -> list[dict[str, Any]]:
    return [{"role": "reported", "given_names": name, "family_name": "McFictional", "identifiers": list(identifiers)}]


def test_it_links_a_shared_email_whatever_its_spelling(referral: Any, handler: Any, units: dict[str, Any]) -> None:
    new = record(handler, units["north"], subjects=_subject({"kind": "email", "value": "Testy.McFictional@EXAMPLE.com"}))
    link = IdentifierLink.objects.get()
    assert (link.referral, link.linked_referral) == (new, referral)
    assert link.reason == "same email address testy.mcfictional@example.com"
    assert link.linked_subject == referral.subjects.get()
    assert AuditEvent.objects.filter(action="link.create", target_id=str(link.pk)).exists()


def test_it_links_a_phone_written_differently(referral: Any, handler: Any, units: dict[str, Any]) -> None:
    record(handler, units["north"], subjects=_subject({"kind": "phone", "value": "+44 7700 900123"}))
    assert IdentifierLink.objects.get().reason == "same phone number +447700900123"


def test_it_does_not_link_different_identifiers(referral: Any, handler: Any, units: dict[str, Any]) -> None:
    record(handler, units["north"], subjects=_subject({"kind": "email", "value": "someone.else@example.com"}))
    assert not IdentifierLink.objects.exists()


def test_it_links_an_ip_only_close_in_time(referral: Any, handler: Any, units: dict[str, Any]) -> None:
    # the fixture saw 192.0.2.44 at 2026-10-30 22:01 UTC
    record(handler, units["north"], subjects=_subject(
        {"kind": "ip", "value": "192.0.2.44", "observed_at": "2026-11-05T22:01:00+00:00"}))
    assert not IdentifierLink.objects.exists()  # six days apart: the address may have been reassigned
    record(handler, units["north"], subjects=_subject(
        {"kind": "ip", "value": "192.0.2.44", "observed_at": "2026-10-31T01:01:00+00:00"}, name="Other"))
    link = IdentifierLink.objects.get()
    assert link.reason == "IP address: same address 192.0.2.44 within 3.0 h (window 24.0 h)"


def test_it_links_an_ip_far_apart_when_the_account_is_the_same(handler: Any, units: dict[str, Any]) -> None:
    account = {"kind": "username", "value": "quietlantern_79", "platform": "Examplegram"}
    first = record(handler, units["north"], subjects=_subject(
        account, {"kind": "ip", "value": "198.51.100.7", "observed_at": "2026-01-01T10:00:00+00:00"}))
    record(handler, units["north"], subjects=_subject(
        account, {"kind": "ip", "value": "198.51.100.7", "observed_at": "2026-06-01T10:00:00+00:00"}))
    reasons = sorted(IdentifierLink.objects.filter(linked_referral=first).values_list("reason", flat=True))
    assert reasons == ["IP address: same address 198.51.100.7 used by the same account",
                       "same username/account examplegram:quietlantern_79"]


def test_it_never_links_a_private_ip(handler: Any, units: dict[str, Any]) -> None:
    ip = {"kind": "ip", "value": "10.0.0.1", "observed_at": "2026-01-01T10:00:00+00:00"}
    record(handler, units["north"], subjects=_subject(ip))
    record(handler, units["north"], subjects=_subject(ip, name="Other"))
    assert not IdentifierLink.objects.exists()


def test_it_tells_each_unit_only_the_other_units_name(referral: Any, outsider: Any, units: dict[str, Any]) -> None:
    east = record(outsider, units["east"], subjects=_subject({"kind": "email", "value": "testy.mcfictional@example.com"}))
    assert not IdentifierLink.objects.exists()  # never a link across units
    hits = {(h.unit.code, h.referral, h.other_unit.code) for h in KnownElsewhere.objects.all()}
    assert hits == {("east", east, "north"), ("north", referral, "east")}

    client = Client()
    client.force_login(outsider)
    page = client.get(east.get_absolute_url()).content.decode()
    assert "Also known to Northmoor Test Unit" in page
    # Issue 18 (winnow.partners): the other unit's reference and contact are shared, never its case details.
    assert "CT-TEST-0001" not in page and "07700 900123" not in page and "1 Example Street" not in page


def test_it_shows_why_on_both_referrals(referral: Any, handler: Any, units: dict[str, Any]) -> None:
    new = record(handler, units["north"], subjects=_subject({"kind": "email", "value": "testy.mcfictional@example.com"}))
    client = Client()
    client.force_login(handler)
    for shown, other in ((new, referral), (referral, new)):
        page = client.get(shown.get_absolute_url()).content.decode()
        assert other.reference in page and "same email address testy.mcfictional@example.com" in page


def test_it_keeps_links_append_only(referral: Any, handler: Any, units: dict[str, Any]) -> None:
    record(handler, units["north"], subjects=_subject({"kind": "email", "value": "testy.mcfictional@example.com"}))
    link = IdentifierLink.objects.get()
    with pytest.raises(ImmutableError):
        link.save()
    with pytest.raises(ImmutableError):
        IdentifierLink.objects.all().delete()
