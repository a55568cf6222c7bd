"""The demo's story: one of each thing a unit meets on a working day, recorded through the real services.

In Northmoor: a computed Very High band waiting for the supervisor's decision; a CyberTipline report (the fictional
sample package); two hash sets (a fictional reference list and an NSRL-style known-good list); an exhibit with a
scan of benign generated pictures and its collection summary, and one waiting for its scan; a referral whose
subject is probably someone already known (a linkage proposal) and shares an email address with an assigned
referral (the investigator is notified) and with a managed offender (the offender manager is alerted).

Every picture is generated (gradients, shapes, noise); every person, account and number is fictional.
"""

from __future__ import annotations

import hashlib
import json
import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings

from winnow.accounts.models import Unit, User
from winnow.assessments.services import assessment_record
from winnow.core.scanning import scan
from winnow.core.scanning import synthetic as syn
from winnow.core.scanning.pdq import hash_image
from winnow.intake.corrections import referral_correct
from winnow.intake.cybertip import cybertipline_import, parse_upload
from winnow.intake.services import referrals_import
from winnow.linkage.services import people_link_new
from winnow.offenders.models import ManagedOffender
from winnow.referrals.models import Identifier, Referral, Status, Subject
from winnow.triage.services import exhibit_create, file_chunks, hash_set_import, scan_result_store

DATA = Path(__file__).resolve().parent / "data"
CYBERTIPLINE = ["report-sample.xml", "filedetails-1.xml", "filedetails-2.xml"]
VERY_HIGH = {"lives_with_children": "yes", "grooming": "yes", "prior_contact_offence": "no"}


def tell(*, users: dict[str, User], unit: Unit, now: datetime, rng: random.Random) -> None:
    _awaiting_decision(users, unit)
    _cybertipline(users, unit, now)
    with tempfile.TemporaryDirectory(prefix="winnow-demo-") as tmp:
        _exhibits(users, unit, Path(tmp))
    _known_again(users, unit, now)
    _correction(users, unit, now)


def _correction(users: dict[str, User], unit: Unit, now: datetime) -> None:
    """A danger flag recorded No, corrected to Yes: the referral moves up the queue and its owner is told."""
    referral = (Referral.objects.filter(unit=unit, immediate_danger=False).exclude(status=Status.CLOSED)
                .order_by("received_at").first())
    if referral is not None:
        referral_correct(actor=users["supervisor"], referral=referral, field="immediate_danger", value=True, now=now,
                         reason="Demo (fictional): the reporting platform's follow-up says the child is with the "
                                "subject tonight.")


def _awaiting_decision(users: dict[str, User], unit: Unit) -> None:
    """The newest unassessed referral with a subject: the handler's assessment computes Very High; no decision."""
    waiting = (Referral.objects.filter(unit=unit, status=Status.RECEIVED, subjects__isnull=False, assessments__isnull=True)
               .order_by("-received_at").first())
    if waiting is None:
        return
    assessment_record(actor=users["handler"], subject=waiting.subjects.order_by("id").first(),
                      instrument_id="phased-prioritisation", answers=VERY_HIGH,
                      evidence={"grooming": "Demo: chat logs in the package (fictional)."})


def _cybertipline(users: dict[str, User], unit: Unit, now: datetime) -> None:
    documents = [(name, (DATA / name).read_bytes()) for name in CYBERTIPLINE]
    package, zip_content, zip_name = parse_upload(documents)
    cybertipline_import(actor=users["handler"], unit=unit, package=package, zip_content=zip_content,
                        zip_name=zip_name, immediate_danger=False, now=now)


def _exhibits(users: dict[str, User], unit: Unit, tmp: Path) -> None:
    """A laptop scanned by the real scanner over generated pictures, matched against two fictional hash sets."""
    referral = Referral.objects.filter(unit=unit, status=Status.IN_ACTION).order_by("-received_at").first()
    if referral is None:
        return
    root = tmp / "exhibit"
    (root / "Pictures").mkdir(parents=True)
    known = syn.jpeg_bytes(syn.scene((320, 240), seed=1))
    (root / "Pictures" / "IMG_0001.jpg").write_bytes(known)
    (root / "Pictures" / "copy of IMG_0001.jpg").write_bytes(known)
    original = syn.scene((320, 240), seed=2)
    (root / "Pictures" / "IMG_0002.jpg").write_bytes(syn.jpeg_bytes(syn.resized(syn.reencoded(original), 0.8)))
    series = syn.scene((400, 300), seed=10)
    for i, im in enumerate([series, syn.reencoded(series, 50), syn.resized(series, 0.7)]):
        (root / "Downloads").mkdir(exist_ok=True)
        (root / "Downloads" / f"series-{i}.jpg").write_bytes(syn.jpeg_bytes(im))
    (root / "Downloads" / "pattern.png").write_bytes(syn.png_bytes(syn.noise((300, 300), seed=20)))
    (root / "readme.txt").write_bytes(b"Demo exhibit: generated pictures only.\n")
    reference = tmp / "fictional-reference-list.csv"
    reference.write_text("md5,pdq,category\n"
                         f"{hashlib.md5(known).hexdigest()},,A\n"  # noqa: S324 (a file hash, not security)
                         f",{hash_image(original)[0]},B\n")
    hash_set_import(actor=users["administrator"], path=reference, name="Fictional reference list (demo)", scheme="uk-abc",
                    filename=reference.name)
    nsrl = tmp / "NSRLFile.txt"
    readme_md5 = hashlib.md5((root / "readme.txt").read_bytes()).hexdigest().upper()  # noqa: S324
    nsrl.write_text('"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"\n'
                    f'"{"A" * 40}","{readme_md5}","00000000","readme.txt",39,1,"WIN",""\n')
    hash_set_import(actor=users["administrator"], path=nsrl, name="Known-good files, NSRL format (demo)",
                    filename=nsrl.name)
    result = tmp / "EX-1.scan.sqlite"
    scan(root, result, now=lambda: datetime.now(UTC), workers=1)
    laptop = exhibit_create(actor=users["forensic"], referral=referral, label="EX-1",
                            description="Laptop seized at the address (demo: generated pictures only)")
    scan_result_store(actor=users["forensic"], exhibit=laptop, chunks=file_chunks(result), filename=result.name,
                      via="upload", summarise=True, background=False)
    exhibit_create(actor=users["forensic"], referral=referral, label="EX-2",
                   description="USB stick, waiting for its scan (demo)")


def _known_again(users: dict[str, User], unit: Unit, now: datetime) -> None:
    """A new referral about someone probably already known: same date of birth and address, a variant spelling of
    the name, and the email address of a subject on an assigned referral and of a managed offender."""
    assigned = (Subject.objects.filter(referral__unit=unit, referral__assigned_to__isnull=False,
                                       referral__status=Status.IN_ACTION, date_of_birth__isnull=False)
                .exclude(addresses=[]).order_by("-referral__received_at").first())
    offender = ManagedOffender.objects.filter(unit=unit).order_by("pk").first()
    if assigned is None:
        return
    identifiers = [{"kind": "email", "value": e} for e in Identifier.objects.filter(
        subject=assigned, kind="email").values_list("value", flat=True)[:1]]
    if offender is not None:
        identifiers += [{"kind": "email", "value": e} for e in Identifier.objects.filter(
            subject=offender.subject, kind="email").values_list("value", flat=True)[:1]]
    given = assigned.given_names
    variant = given[:-1] + ("y" if given[-1:] != "y" else "ie") if len(given) > 2 else given
    mapping = {"referrals": [{
        "source": "force_intelligence", "source_reference": "",
        "received_at": (now - timedelta(hours=3)).isoformat(),
        "summary": "Force intelligence (demo): the subject is using a new account to contact children.",
        "immediate_danger": False,
        "subjects": [{"role": "reported", "given_names": variant, "family_name": assigned.family_name,
                      "date_of_birth": assigned.date_of_birth.isoformat() if assigned.date_of_birth else None,
                      "sex": assigned.sex, "addresses": list(assigned.addresses), "identifiers": identifiers}],
    }]}
    result = referrals_import(actor=users["handler"], unit=unit, filename="demo-intelligence.json",
                              content=json.dumps(mapping).encode(), max_bytes=settings.WINNOW_IMPORT_MAX_BYTES,
                              now=now)
    new_subjects = Subject.objects.filter(referral__package=result.batch.package).values_list("pk", flat=True)
    people_link_new(unit=unit, subject_ids=list(new_subjects), actor=users["handler"])
