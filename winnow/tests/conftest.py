"""A seeded Northmoor: one of every object a page can show, made through the services, for the tests that walk
every URL and every header link. All people are fictional."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from winnow.permissions import Role

PASSWORD = "correct-horse-battery-staple"


@dataclass
class Seeded:
    walker: Any  # every role in Northmoor: the right unit and the right role for every page
    referral: Any
    subject: Any
    other_referral: Any
    assessment: Any
    offender: Any
    exhibit: Any
    hash_set: Any
    proposal: Any
    person: Any
    merge: Any
    notification: Any
    series: Any = None  # a victim-identification series with one member on `exhibit`
    deconfliction: Any = None  # an Eastvale referral linked to `referral` (winnow.partners)
    information_request: Any = None  # Eastvale asks Northmoor about it
    viral_digest: str = ""  # two Northmoor CyberTipline reports carry a file with this MD5
    safeguarding: Any = None  # a safeguarding referral on `referral`, answering the concern its assessment raised
    transfer: Any = None  # a request that Eastvale take `other_referral` over, awaiting its decision
    job: Any = None  # the walker's CyberTipline upload, waiting for the task worker


def _series(walker: Any, exhibit: Any) -> Any:
    """A series of one unknown item, recorded directly (the grouping itself is tested in winnow/victimid)."""
    from winnow.triage.models import ScanResult
    from winnow.victimid.models import Series, SeriesMember, UnknownItem

    result = ScanResult.objects.create(exhibit=exhibit, unit_id=exhibit.unit_id, filename="seed.scan.sqlite",
                                       sha256="0" * 64, size=1, storage_name="scan-results/none", files=1,
                                       via="server", received_by=walker)
    item = UnknownItem.objects.create(scan_result=result, exhibit=exhibit, referral_id=exhibit.referral_id,
                                      unit_id=exhibit.unit_id, md5="1" * 32, media_type="image")
    series = Series.objects.create()
    SeriesMember.objects.create(series=series, item=item, unit_id=exhibit.unit_id)
    return series


def _record(actor: Any, unit: Any, reference: str, given: str, email: str) -> Any:
    from winnow.core.intake import referral_from_mapping
    from winnow.intake.services import canonical_json, referral_record

    mapping = {
        "source": "ncmec", "source_reference": reference, "received_at": "2026-11-02T10:15:00+00:00",
        "summary": "Fictional seeded referral.", "immediate_danger": False,
        "subjects": [{"role": "reported", "given_names": given, "family_name": "McFictional",
                      "date_of_birth": "1980-04-01", "sex": "male",
                      "identifiers": [{"kind": "email", "value": email}]}],
    }
    return referral_record(actor=actor, unit=unit, draft=referral_from_mapping(mapping, now=timezone.now()),
                           raw=canonical_json(mapping), media_type="application/json", via="form")


def _partners(walker: Any, units: dict[str, Any]) -> tuple[Any, Any, str]:
    """Eastvale records a referral with the seeded email (a cross-unit link) and asks Northmoor about it; Northmoor
    imports the CyberTipline sample twice, two reports about one file."""
    from winnow.accounts.models import Membership, User
    from winnow.intake.tests.support import SAMPLE, import_documents
    from winnow.partners.models import Deconfliction
    from winnow.partners.services import request_send

    east_handler = User.objects.create_user(username="edwin.east")
    Membership.objects.create(user=east_handler, unit=units["east"], role="handler")
    east = _record(east_handler, units["east"], "EAST-SEED-1", "Ed", "testy.seeded@example.com")
    record = Deconfliction.objects.filter(referral=east).order_by("pk").first()
    rfi = request_send(actor=east_handler, record=record, from_unit_id=record.unit_id, question="Known to you?")
    details = (SAMPLE / "filedetails-1.xml").read_bytes()
    for n in (1, 2):
        report = (SAMPLE / "report-sample.xml").read_text().replace("withheld from sample", f"withheld ({n})")
        import_documents([("report-sample.xml", report.encode()), ("filedetails-1.xml", details)], actor=walker,
                         unit=units["north"])
    return record, rfi, "5f0c3b1e9a7d24c86e1b0f3a2d4c6e81"


@pytest.fixture
def seeded(units: dict[str, Any], handler: Any, settings: Any, tmp_path: Path) -> Seeded:
    from winnow.accounts.models import Membership, User
    from winnow.assessments.services import assessment_record
    from winnow.linkage.models import LinkageRun, LinkProposal
    from winnow.linkage.services import proposal_decide
    from winnow.notifications.models import Notification
    from winnow.offenders.services import contact_record, offender_register, review_record
    from winnow.transfers.services import transfer_request
    from winnow.triage import services as triage

    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    triage._CACHE.clear()
    north = units["north"]
    walker = User.objects.create_user(username="wally.walker", password=PASSWORD)
    for role in Role:
        Membership.objects.create(user=walker, unit=north, role=role)

    referral = _record(walker, north, "CT-SEED-1", "Testy", "testy.seeded@example.com")
    # The same email from someone else: an identifier link, and a notification to the walker.
    other = _record(handler, north, "CT-SEED-2", "Tester", "testy.seeded@example.com")
    subject, other_subject = referral.subjects.get(), other.subjects.get()
    assessment = assessment_record(actor=walker, subject=subject, instrument_id="phased-prioritisation",
                                   answers={"lives_with_children": "yes", "grooming": "yes"})
    plan = {"risk": "medium", "mappa_category": 1, "mappa_level": 1, "manager": walker, "visit_every": 3,
            "visit_unit": "months", "in_person_every": 3, "in_person_unit": "months", "review_every": 12,
            "review_unit": "months", "digital_indicators": [], "civil_orders": False, "conditions": "",
            "clean_since": None, "reason": "Fictional seeded plan."}
    offender = offender_register(actor=walker, subject=subject, convicted_on=date(2024, 5, 1), disposal="custody",
                                 custody_months=12, under_18=False, plan=plan)
    contact_record(actor=walker, offender=offender, occurred_at=timezone.now() - timedelta(days=1), mode="phone",
                   outcome="seen", device_check="not_done")
    review_record(actor=walker, offender=offender, answers={}, notes="Fictional seeded review.")
    exhibit = triage.exhibit_create(actor=walker, referral=referral, label="SEED/1", description="Fictional laptop")
    hash_file = tmp_path / "seeded-list.csv"
    hash_file.write_text(f"md5,pdq,category\n{'0' * 31}1,,A\n")
    hash_set = triage.hash_set_import(actor=walker, path=hash_file, name="Seeded list", scheme="uk-abc").hash_set
    run = LinkageRun.objects.create(unit=north, seconds=0.1, subjects=2, pairs_scored=1, proposals_created=1,
                                    threshold=0.9, by=walker)
    left, right = sorted((subject, other_subject), key=lambda s: s.pk)
    proposal = LinkProposal.objects.create(unit=north, run=run, left_subject=left, right_subject=right,
                                           match_probability=0.97, match_weight=8.1, fields=[])
    proposal_decide(proposal=proposal, accept=True, actor=walker, reason="Same email, same birth date.")
    merge = proposal.merge
    series = _series(walker, exhibit)
    notification = Notification.objects.get(recipient=walker)  # before the seeding below sends more
    deconfliction, information_request, viral_digest = _partners(walker, units)
    from winnow.safeguarding.models import Concern
    from winnow.safeguarding.services import safeguarding_referral_record

    safeguarding = safeguarding_referral_record(
        actor=walker, referral=referral, concerns=list(Concern.objects.filter(referral=referral)),
        made_at=timezone.now(), local_authority="Northmoor Borough Council (fictional)", recipient="MASH duty desk",
        made_by=walker)
    transfer = transfer_request(actor=walker, referral=other, to_unit=units["east"], reason="Fictional seeded transfer.")
    from winnow.worker.models import Job

    job = Job.objects.create(kind=Job.Kind.CYBERTIPLINE, unit=north, created_by=walker,
                             params={"report_id": None, "immediate_danger": False})
    return Seeded(series=series, deconfliction=deconfliction, information_request=information_request,
                  viral_digest=viral_digest, safeguarding=safeguarding, transfer=transfer, job=job, walker=walker, referral=referral, subject=subject, other_referral=other, assessment=assessment,
                  offender=offender, exhibit=exhibit, hash_set=hash_set, proposal=proposal, person=merge.person,
                  merge=merge, notification=notification)
