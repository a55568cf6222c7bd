"""Fictional demo data: three fictional units, one login per role, a few hundred fictional referrals.

People come from Faker (en_GB, fixed seed); phone numbers from Ofcom's drama range (07700 900xxx); IP addresses
from the documentation ranges; email domains example.com/.org/.net. No imagery of any kind.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from faker import Faker

from winnow.accounts.models import Membership, Unit, User
from winnow.assessments.models import BandDecision
from winnow.assessments.services import AssessmentInputError, assessment_record, band_decide
from winnow.audit.chain import checkpoint_write
from winnow.context import acting, new_request_id
from winnow.demo import story
from winnow.demo.trends import seed_history
from winnow.intake.services import referrals_import
from winnow.offenders.services import contact_record, offender_register
from winnow.permissions import Role
from winnow.referrals.models import Disposition, Referral, Status, Subject
from winnow.referrals.services import referral_transition
from winnow.validation.models import ContactOffending
from winnow.validation.services import outcome_record
from winnow.workload.services import case_action_record, referrals_assign

DEMO_PASSWORD = "winnow-demo-only"  # noqa: S105 (fictional demo logins; seed-demo refuses to run in production)
UNITS = [
    ("nmr", "Northmoor Constabulary Online Child Protection Team"),
    ("evl", "Eastvale Police POLIT"),
    ("fen", "Fenland Regional Online Exploitation Unit"),
]
LOGINS = [  # username, role, units
    ("handler", Role.HANDLER, ["nmr"]),
    ("investigator", Role.INVESTIGATOR, ["nmr"]),
    ("supervisor", Role.SUPERVISOR, ["nmr"]),
    ("forensic", Role.FORENSIC, ["nmr"]),
    ("offender.manager", Role.OFFENDER_MANAGER, ["nmr"]),
    ("analyst", Role.ANALYST, ["nmr", "evl"]),
    ("administrator", Role.ADMINISTRATOR, ["nmr", "evl", "fen"]),
    ("eastvale.handler", Role.HANDLER, ["evl"]),
    ("regional.supervisor", Role.SUPERVISOR, ["evl", "fen"]),
]
PLATFORMS = ["ExampleChat", "SampleGram", "DemoTalk", "FictionFeed"]
SUMMARIES = [
    "ESP report: account uploaded {n} files matching known hashes.",
    "Intelligence that the subject is sharing indecent images in a group chat ({n} reports).",
    "Other agency package: subscriber details for an IP address linked to downloads of IIOC.",
    "Member of the public reports concerning messages from an adult to a child on {platform}.",
    "CyberTipline report: {n} files reported; account disabled by the platform.",
    "Force intelligence: subject believed to have unsupervised access to children; online activity reported.",
]


def _imei(rng: random.Random) -> str:
    digits = [rng.randint(0, 9) for _ in range(14)]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits))
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def _referral(fake: Faker, rng: random.Random, now: Any, index: int, unit_code: str) -> dict[str, Any]:
    # Most referrals arrived in the last fortnight, a tail over four months: worked referrals are actioned in time,
    # so only a few stand out as overdue.
    received = now - timedelta(days=rng.uniform(0, 14) if rng.random() < 0.7 else rng.uniform(14, 120),
                               minutes=rng.randint(0, 600))
    subjects = []
    for _ in range(rng.choice([1, 1, 1, 2])):
        sex = rng.choice(["male"] * 8 + ["female", "unknown"])
        given = fake.first_name_male() if sex == "male" else fake.first_name_female() if sex == "female" else fake.first_name()
        family = fake.last_name()
        identifiers: list[dict[str, Any]] = [
            {"kind": "email", "value": f"{given}.{family}{rng.randint(1, 99)}@{rng.choice(['example.com', 'example.org', 'example.net'])}".lower()},
            {"kind": "phone", "value": f"07700 900{rng.randint(0, 999):03d}"},
        ]
        if rng.random() < 0.7:
            identifiers.append({"kind": "username", "value": f"{given[:3]}{family[:4]}{rng.randint(10, 999)}".lower(),
                                "platform": rng.choice(PLATFORMS)})
        if rng.random() < 0.6:
            ip = rng.choice([f"192.0.2.{rng.randint(1, 254)}", f"198.51.100.{rng.randint(1, 254)}",
                             f"203.0.113.{rng.randint(1, 254)}", f"2001:db8::{rng.randint(1, 0xffff):x}"])
            identifiers.append({"kind": "ip", "value": ip,
                                "observed_at": (received - timedelta(days=rng.randint(1, 30))).isoformat()})
        if rng.random() < 0.3:
            identifiers.append({"kind": "device", "value": _imei(rng)})
        subjects.append({
            "role": "reported",
            "given_names": given,
            "family_name": family,
            "date_of_birth": fake.date_of_birth(minimum_age=19, maximum_age=70).isoformat() if rng.random() < 0.85 else None,
            "sex": sex,
            "addresses": [fake.address().replace("\n", ", ")] if rng.random() < 0.8 else [],
            "identifiers": identifiers,
        })
    source = rng.choice(["nca_ceop", "nca_ceop", "ncmec", "ncmec", "force_intelligence", "other_agency", "public"])
    return {
        "source": source,
        "source_reference": f"{source.upper()}-DEMO-{unit_code.upper()}-{index:05d}" if source in ("nca_ceop", "ncmec") else "",
        "received_at": received.isoformat(),
        "summary": rng.choice(SUMMARIES).format(n=rng.randint(1, 40), platform=rng.choice(PLATFORMS)),
        "immediate_danger": rng.random() < 0.04,
        "subjects": subjects,
    }


class Command(BaseCommand):
    help = "Create fictional demo units, one login per role and a few hundred fictional referrals."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--referrals", type=int, default=120, help="referrals per unit (default 120)")
        parser.add_argument("--quiet", action="store_true", help="seed without printing the logins")
        parser.add_argument("--logins-only", action="store_true", help="print the logins, seed nothing")
        parser.add_argument("--port", type=int, default=8000, help="the port the printed address names")

    def handle(self, *args: Any, referrals: int, quiet: bool = False, logins_only: bool = False, port: int = 8000,
               **options: Any) -> None:
        if settings.WINNOW_ENV == "production":
            raise CommandError("seed-demo never runs with WINNOW_ENV=production: its logins have a published password")
        if not logins_only:
            with acting(request_id=new_request_id("seed-demo-"), via="command"):
                self._seed_all(referrals)
        if not quiet:
            self._print_logins(port)

    def _seed_all(self, referrals: int) -> None:
        if Unit.objects.filter(code=UNITS[0][0]).exists():
            self.stdout.write("Demo data already present; nothing added.")
        else:
            self._seed(referrals)
            # Anchor what the seed wrote, so `winnow audit-verify` passes straight after it.
            checkpoint_write()

    @transaction.atomic
    def _seed(self, per_unit: int) -> None:
        fake = Faker("en_GB")
        fake.seed_instance(20261121)
        rng = random.Random(20261121)  # noqa: S311 (demo data, not security)
        units = {code: Unit.objects.create(code=code, name=name) for code, name in UNITS}
        users = {}
        for username, role, codes in LOGINS:
            user = User.objects.create_user(
                username=username, password=DEMO_PASSWORD, first_name=username.split(".")[0].capitalize(),
                is_staff=role == Role.ADMINISTRATOR, is_superuser=role == Role.ADMINISTRATOR,
            )
            for code in codes:
                Membership.objects.create(user=user, unit=units[code], role=role)
            users[username] = user
        now = timezone.now()
        recorders = {"nmr": users["handler"], "evl": users["eastvale.handler"], "fen": users["administrator"]}
        for code, unit in units.items():
            package = {"referrals": [_referral(fake, rng, now, i, code) for i in range(1, per_unit + 1)]}
            referrals_import(
                actor=recorders[code], unit=unit, filename=f"demo-{code}.json",
                content=json.dumps(package, indent=1).encode(), max_bytes=settings.WINNOW_IMPORT_MAX_BYTES, now=now,
            )
        self._work(rng, users, now)
        self._offenders(rng, users, now)
        self._outcomes(rng, users)
        story.tell(users=users, unit=units["nmr"], now=timezone.now(), rng=rng)
        # Years of fictional closed cases with case facts, for the trends pages (winnow.demo.trends).
        seed_history(fake=fake, rng=rng, users=users, unit=units["nmr"], count=4 * per_unit, now=now)
        nmr = Referral.objects.filter(unit=units["nmr"])
        self.stdout.write(f"Seeded {Referral.objects.count()} fictional referrals in {len(units)} units; Northmoor "
                          f"has {nmr.open().count()} open, {nmr.overdue(timezone.now()).count()} overdue.")

    def _work(self, rng: random.Random, users: dict[str, User], now: Any) -> None:
        """Move Northmoor's referrals through the real services with realistic times: assessed by the handler,
        bands confirmed or overridden by the supervisor, assigned, actioned, some closed. The status follows (each
        service moves it), so nothing here moves it by hand except closure."""

        handler, supervisor, investigator = users["handler"], users["supervisor"], users["investigator"]
        items = {"count": ["sexual_convictions"]}
        yes_no = ["prior_contact_offence", "prior_noncontact_offence", "previous_custody", "lives_with_children",
                  "access_children_known", "access_children_role", "incitement", "grooming", "producing_iioc",
                  "sexual_communication", "other_convictions", "domestic_abuse", "substance_misuse"]
        days = settings.WINNOW_DEADLINE_DAYS
        for referral in Referral.objects.filter(unit__code="nmr").order_by("received_at"):
            age_days = (now - referral.received_at).total_seconds() / 86400
            subject = referral.subjects.order_by("id").first()
            if subject is None or age_days < 0.5 or (age_days < 3 and rng.random() < 0.3):
                continue  # still waiting for assessment (recent ones only; older ones were assessed)
            t = referral.received_at + timedelta(days=min(rng.uniform(0.1, 2.5), age_days * 0.5))
            answers: dict[str, Any] = {
                item: rng.choices(["yes", "no", "unknown"], weights=[0.2, 0.6, 0.2])[0] for item in yes_no
            }
            answers[items["count"][0]] = str(rng.choice([0, 0, 0, 1, 2])) if rng.random() < 0.8 else "unknown"
            try:
                assessment = assessment_record(actor=handler, subject=subject, instrument_id="phased-prioritisation",
                                               answers=answers, now=t)
            except AssessmentInputError:
                continue
            t += timedelta(hours=rng.uniform(1, 20))
            if t >= now or assessment.band == "not_scorable":
                continue
            if rng.random() < 0.12:
                choices = [b for b in ("very_high", "high", "medium", "low") if b != assessment.band]
                band_decide(actor=supervisor, assessment=assessment, decision=BandDecision.Decision.OVERRIDE,
                            decided_band=rng.choice(choices), now=t,
                            rationale="Demo override: fictional intelligence about access to children changes the picture.")
            else:
                band_decide(actor=supervisor, assessment=assessment, decision=BandDecision.Decision.CONFIRM,
                            rationale="Demo: confirmed on review.", now=t)
            referral.refresh_from_db()
            referrals_assign(actor=supervisor, referrals=[referral], assignee=investigator)
            # Very High usually on time; lower bands often late (as the 2023 inspection found).
            target = days[referral.band]
            t += timedelta(days=rng.uniform(0.2, 1.0) * target * (1 if referral.band == "very_high" else rng.choice([0.5, 1, 1.6, 2.5])))
            deadline = referral.deadline_at
            if t >= now and deadline is not None and deadline < now and rng.random() < 0.85:
                t = max(deadline - timedelta(hours=2), referral.band_decided_at or deadline)  # most were on time
            if t >= now:
                continue
            case_action_record(actor=investigator, referral=referral, kind=rng.choice(["warrant_executed", "voluntary_interview", "arrest"]),
                               occurred_at=t, note="Demo action (fictional).")
            t += timedelta(days=rng.uniform(3, 40))
            if t < now and rng.random() < 0.7:
                referral_transition(
                    actor=supervisor, referral=referral, to_status=Status.CLOSED, now=t,
                    disposition=rng.choice([Disposition.CHARGED, Disposition.NO_FURTHER_ACTION, Disposition.CAUTIONED,
                                            Disposition.CHARGED]),
                    reason="Demo closure: fictional outcome.",
                )

    def _outcomes(self, rng: random.Random, users: dict[str, User]) -> None:
        """Fictional outcomes for every closed Northmoor referral, more often contact offending in higher bands, so
        the validation report has figures on a fresh demo. Marked fictional_demo; the report says so."""
        rates = {"very_high": 0.6, "high": 0.4, "medium": 0.18, "low": 0.07, "": 0.2}
        for referral in Referral.objects.filter(unit__code="nmr", status=Status.CLOSED).order_by("id"):
            for subject in referral.subjects.all():
                if rng.random() < 0.1:
                    found = ContactOffending.UNKNOWN
                elif rng.random() < rates.get(referral.band, 0.2):
                    found = rng.choice([ContactOffending.CONVICTED, ContactOffending.CHARGED, ContactOffending.ALLEGED])
                else:
                    found = ContactOffending.NONE_FOUND
                outcome_record(actor=users["investigator"], subject=subject, contact_offending=found,
                               children_safeguarded=rng.choice([0, 0, 1, 2, None]),
                               victims_identified=rng.choice([0, 0, 1, None]),
                               note="Fictional demo outcome.", fictional_demo=True, now=referral.closed_at)

    def _offenders(self, rng: random.Random, users: dict[str, User], now: Any) -> None:
        """Twelve fictional managed offenders in Northmoor, with contacts over the past year: some on plan, some
        overdue, and some whose only recent contacts were by phone or video (the in-person lapse)."""

        manager = users["offender.manager"]
        subjects = Referral.objects.filter(unit__code="nmr", status="closed", disposition="charged").values_list(
            "subjects__id", flat=True)

        indicators = ["encryption", "anonymising_networks", "cloud_storage", "several_devices", "wiping_tools",
                      "earlier_concealment"]
        for index, subject in enumerate(Subject.objects.filter(pk__in=[s for s in subjects if s])[:12]):
            risk = ["low", "medium", "high", "very_high"][index % 4]
            registered = now - timedelta(days=rng.randint(200, 400))
            offender = offender_register(
                actor=manager, subject=subject, convicted_on=(registered - timedelta(days=30)).date(),
                disposal="custody", under_18=False, custody_months=rng.choice([4, 12, 36]),
                plan={"risk": risk, "mappa_category": 1, "mappa_level": 1, "manager": manager,
                      "visit_every": {"low": 12, "medium": 6, "high": 3, "very_high": 1}[risk], "visit_unit": "months",
                      "in_person_every": {"low": 12, "medium": 6, "high": 3, "very_high": 1}[risk],
                      "in_person_unit": "months", "review_every": 12, "review_unit": "months",
                      "digital_indicators": rng.sample(indicators, k=rng.choice([0, 0, 1, 2])),
                      "civil_orders": index % 3 == 0, "conditions": "Demo: SHPO device terms (fictional).",
                      "clean_since": None, "reason": "Demo plan (fictional)."}, now=registered,
            )
            t = registered
            remote_only = index % 5 == 1  # the Covid-style lapse: phone and video only
            while True:
                t += timedelta(days=rng.uniform(20, 110))
                if t >= now - timedelta(days=2):
                    break
                mode = rng.choice(["phone", "video"]) if remote_only and t > registered + timedelta(days=60) else \
                    rng.choice(["home_visit", "home_visit", "doorstep", "phone", "police_station"])
                contact_record(actor=manager, offender=offender, occurred_at=t, mode=mode, outcome="seen",
                               device_check=rng.choice(["no_concerns", "no_concerns", "not_done"]),
                               notes="Demo contact (fictional).", now=now)

    def _print_logins(self, port: int) -> None:
        self.stdout.write(f"\nWinnow demo: http://127.0.0.1:{port}  (all people and data are fictional)")
        self.stdout.write(f"Sign in with any of these usernames and the password  {DEMO_PASSWORD}")
        for username, role, codes in LOGINS:
            self.stdout.write(f"  {username:<22} {role.label:<42} units: {', '.join(codes)}")
