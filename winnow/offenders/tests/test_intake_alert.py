"""End to end: a new referral whose subject shares an identifier with a managed offender's person alerts that
offender's manager at intake, with the forensic-support flag from the digital risk indicators."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from winnow.audit.services import audit_verify
from winnow.core.intake import referral_from_mapping
from winnow.intake.services import canonical_json, referral_record
from winnow.notifications.models import Notification
from winnow.offenders.models import IntelligenceLink


def _mapping(reference: str, email: str) -> dict[str, Any]:
    return {
        "source": "nca_ceop", "source_reference": reference, "received_at": "2026-11-10T09:00:00+00:00",
        "summary": "Fictional follow-up referral.", "immediate_danger": False,
        "subjects": [{"role": "reported", "given_names": "T.", "family_name": "McFictional",
                      "identifiers": [{"kind": "email", "value": email}]}],
    }


def _record(actor: Any, unit: Any, mapping: dict[str, Any]) -> Any:
    return referral_record(actor=actor, unit=unit, draft=referral_from_mapping(mapping, now=timezone.now()),
                           raw=canonical_json(mapping), media_type="application/json", via="api")


def test_it_alerts_the_offender_manager_through_the_service(managed: Any, offender_manager: Any, supervisor: Any,
                                                            units: Any) -> None:
    new = _record(supervisor, units["north"], _mapping("NCA-OM-1", "Testy.McFictional@Example.com"))
    note = Notification.objects.get(recipient=offender_manager)
    assert note.referral == new and note.link == new.get_absolute_url()
    assert f"New referral {new.reference} links to managed offender {managed}" in note.message
    assert "same email address testy.mcfictional@example.com" in note.message
    assert "Specialist forensic support needed" in note.message and "Uses encryption" in note.message
    link = IntelligenceLink.objects.get()
    assert (link.offender, link.referral, link.notification) == (managed, new, note)
    assert link.forensic_flags == ["Uses encryption", "Uses cloud storage"]
    assert audit_verify().ok


def test_it_alerts_through_the_api_and_shows_the_link_on_the_offenders_page(
        client: Any, managed: Any, offender_manager: Any, handler: Any, token_for: Any) -> None:
    response = client.post("/api/v1/referrals", {**_mapping("NCA-OM-2", "testy.mcfictional@example.com"),
                                                 "unit": "north"},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token_for(handler)}")
    assert response.status_code in (200, 201), response.content
    assert Notification.objects.filter(recipient=offender_manager, message__contains="managed offender").count() == 1
    client.force_login(offender_manager)
    body = client.get(managed.get_absolute_url()).content.decode()
    assert "NCA-OM-2" not in body  # the page shows the Winnow reference
    reference = IntelligenceLink.objects.get().referral.reference
    assert reference in body and "Specialist forensic support" in body
    assert reference in client.get("/offenders/").content.decode()


def test_it_does_not_alert_for_an_unrelated_referral(managed: Any, offender_manager: Any, supervisor: Any,
                                                     units: Any) -> None:
    _record(supervisor, units["north"], _mapping("NCA-OM-3", "someone.else@example.com"))
    assert not Notification.objects.filter(recipient=offender_manager).exists()
    assert not IntelligenceLink.objects.exists()


def test_another_units_referral_alerts_without_listing_it_on_the_offender(managed: Any, offender_manager: Any,
                                                                         outsider: Any, units: Any) -> None:
    """Issue 18: an offender manager hears of a referral anywhere in the installation (winnow.partners), but the
    offender's intelligence lists only the unit's own referrals: another unit's case is not shown here."""
    east = _record(outsider, units["east"], _mapping("NCA-OM-4", "testy.mcfictional@example.com"))
    note = Notification.objects.get(recipient=offender_manager)
    assert east.reference in note.message and "Eastvale Test Unit" in note.message
    assert not IntelligenceLink.objects.exists()


def test_it_alerts_once_per_referral_and_leaves_the_recorder_unnotified(managed: Any, offender_manager: Any,
                                                                        units: Any) -> None:
    mapping = _mapping("NCA-OM-5", "testy.mcfictional@example.com")
    mapping["subjects"].append(dict(mapping["subjects"][0], given_names="Second"))
    _record(offender_manager, units["north"], mapping)  # two subjects share the email; the manager recorded it
    link = IntelligenceLink.objects.get()
    assert link.notification is None  # they recorded it themselves; the page still shows the link
    assert not Notification.objects.filter(recipient=offender_manager).exists()


def test_it_alerts_the_current_manager_after_a_plan_change(managed: Any, offender_manager: Any, supervisor: Any,
                                                           handler: Any, units: Any) -> None:
    from winnow.offenders.services import plan_revise

    from .conftest import plan_data

    plan_revise(actor=offender_manager, offender=managed, plan=plan_data(supervisor, reason="Handed over."))
    _record(handler, units["north"], _mapping("NCA-OM-6", "testy.mcfictional@example.com"))
    assert Notification.objects.filter(recipient=supervisor, message__contains="managed offender").exists()
    assert not Notification.objects.filter(recipient=offender_manager).exists()
