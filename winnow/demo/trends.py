"""Fictional case history for the trends pages: referrals received from 2018 on, closed, with structured case facts
whose rates drift plausibly over the years (more encryption and anonymising networks, a Covid-19 rise in messaging
apps and in self-generated material, AI-generated material from 2023), and a few people linked across referrals
so re-referral has a curve. Everything is made through the services; the referrals' own dates are back-dated,
the audit trail is not (its events are written now, in order, so `winnow audit-verify` holds). Every fact is
marked fictional_demo and the trends pages say so.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from faker import Faker

from winnow.accounts.models import Unit, User
from winnow.intake.services import referrals_import
from winnow.linkage.models import LinkageRun, LinkProposal
from winnow.linkage.services import LinkageRefused, proposal_decide
from winnow.referrals.models import Disposition, Referral, Status
from winnow.referrals.services import referral_transition
from winnow.research.rereferral import rereferral_refresh
from winnow.research.services import case_facts_record, vocabulary

START = datetime(2018, 1, 1).toordinal()


def _era(received: datetime) -> tuple[float, bool, float]:
    """Years since 2018, whether in the Covid-19 restrictions period, and the year as a number."""
    years = (received.toordinal() - START) / 365.25
    covid = datetime(2020, 3, 23).date() <= received.date() <= datetime(2022, 2, 24).date()
    return years, covid, received.year + received.timetuple().tm_yday / 366


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _several(rng: random.Random, rates: dict[str, float], none: str = "none") -> list[str]:
    if rng.random() < 0.08:
        return ["unknown"]
    chosen = [code for code, p in rates.items() if rng.random() < min(p, 0.95)]
    return chosen or [none]


def _facts(rng: random.Random, received: datetime) -> dict[str, list[str]]:
    years, covid, _ = _era(received)
    facts: dict[str, list[str]] = {
        "sex": [_pick(rng, {"male": 0.9, "female": 0.06, "unknown": 0.04})],
        "living_alone": [_pick(rng, {"yes": 0.35 + (0.1 if covid else 0), "no": 0.5, "unknown": 0.15})],
        "relationship": [_pick(rng, {"single": 0.45, "partner": 0.3, "separated": 0.15, "unknown": 0.1})],
        "employment": [_pick(rng, {"employed": 0.55, "unemployed": 0.15, "retired": 0.12 + 0.01 * years,
                                   "student": 0.08, "other": 0.05, "unknown": 0.05})],
        "isolation": [_pick(rng, {"isolated": 0.25 + (0.12 if covid else 0), "some": 0.3, "not_isolated": 0.3,
                                  "unknown": 0.15})],
        "concealment": _several(rng, {"encryption": 0.15 + 0.05 * years, "anonymising_networks": 0.08 + 0.04 * years,
                                      "cloud_storage": 0.3 + 0.03 * years, "wiping_tools": 0.05 + 0.01 * years,
                                      "several_devices": 0.45, "hidden_volumes": 0.04 + 0.01 * years,
                                      "earlier_concealment": 0.06}),
        "methods": _several(rng, {"peer_to_peer": max(0.05, 0.4 - 0.04 * years),
                                  "messaging_apps": 0.35 + 0.03 * years + (0.12 if covid else 0),
                                  "social_media": 0.3 + (0.1 if covid else 0), "forums": 0.1,
                                  "dark_web": 0.06 + 0.02 * years, "cloud_storage": 0.25 + 0.03 * years,
                                  "removable_media": max(0.05, 0.3 - 0.03 * years)}),
        "severity": [_pick(rng, {"a": 0.3 + 0.02 * years, "b": 0.25, "c": 0.35, "none": 0.05, "unknown": 0.05})],
        "youngest_age_band": [_pick(rng, {"0-2": 0.04 + 0.005 * years, "3-6": 0.1 + 0.01 * years, "7-10": 0.25,
                                          "11-13": 0.35, "14-15": 0.15, "16-17": 0.05, "unknown": 0.06})],
        "children_sex": _several(rng, {"girls": 0.8, "boys": 0.35}, none="unknown"),
        "self_generated": [_pick(rng, {"yes": 0.1 + 0.04 * years + (0.08 if covid else 0), "no": 0.7,
                                       "unknown": 0.2})],
        "ai_generated": [_pick(rng, {"yes": 0.0 if years < 5 else 0.04 * (years - 4), "no": 0.8, "unknown": 0.2})],
        "video_share": [_pick(rng, {"none": 0.1, "under_quarter": 0.45 - 0.02 * years, "quarter_to_half": 0.25,
                                    "over_half": 0.1 + 0.02 * years, "unknown": 0.1})],
    }
    if rng.random() < 0.15:
        facts["justification"] = ["not_interviewed"]
    elif rng.random() < 0.15:
        facts["justification"] = ["none_given"]
    else:
        facts["justification"] = _several(rng, {"mental_health": 0.3, "sexuality_confusion": 0.1,
                                                "substance_misuse": 0.2, "no_direct_contact": 0.35,
                                                "own_victimisation": 0.1, "curiosity": 0.2}, none="none_given")
    if rng.random() < 0.1:  # some measures nobody recorded: left out of their n, never read as no
        facts.pop(rng.choice(list(facts)))
    # Files per category as the exhibit summaries would give them, in step with the most severe category; from
    # a generator of their own so the facts above stay as they were.
    own = random.Random(received.timestamp())
    worst = "abc".find(facts.get("severity", ["unknown"])[0])
    if worst >= 0 and own.random() < 0.7:  # most cases have summarised exhibits
        for i, code in enumerate("abc"):
            facts[f"files_{code}"] = ["0" if i < worst else own.choice(["1-9", "10-99", "10-99", "100-999", "1000+"])]
    for code, values in facts.items():
        vocabulary()[code].check(values)
    return facts


def _history_item(fake: Faker, rng: random.Random, received: datetime, index: int) -> dict[str, Any]:
    given, family = fake.first_name_male(), fake.last_name()
    return {
        "source": rng.choice(["nca_ceop", "ncmec", "force_intelligence"]),
        "source_reference": f"HIST-DEMO-NMR-{index:05d}",
        "received_at": received.isoformat(),
        "summary": "Fictional historical case for the trends pages (demo data).",
        "immediate_danger": False,
        "subjects": [{
            "role": "reported", "given_names": given, "family_name": family,
            "date_of_birth": fake.date_of_birth(minimum_age=18, maximum_age=75).isoformat() if rng.random() < 0.9 else None,
            "sex": "male",
            "identifiers": [{"kind": "email", "value": f"{given}.{family}.h{index}@example.net".lower()}],
        }],
    }


def seed_history(*, fake: Faker, rng: random.Random, users: dict[str, User], unit: Unit, count: int, now: datetime) -> None:
    """`count` fictional closed cases in the unit, received evenly from 2018 until four months ago."""
    if count <= 0:
        return
    first = datetime(2018, 1, 1, tzinfo=now.tzinfo)
    span = (now - timedelta(days=120) - first).total_seconds()
    received = sorted(first + timedelta(seconds=rng.uniform(0, span)) for _ in range(count))
    package = {"referrals": [_history_item(fake, rng, when, i) for i, when in enumerate(received, start=1)]}
    referrals_import(actor=users["handler"], unit=unit, filename="demo-history-nmr.json",
                     content=json.dumps(package).encode(), max_bytes=settings.WINNOW_IMPORT_MAX_BYTES, now=now)
    history = list(Referral.objects.filter(unit=unit, source_reference__startswith="HIST-DEMO-").order_by("received_at"))
    for referral in history:
        subject = referral.subjects.get()
        case_facts_record(actor=users["investigator"], subject=subject, facts=_facts(rng, referral.received_at),
                          fictional_demo=True)
        # The referral's own dates are back-dated; its audit events are written now. Closing with an outcome needs
        # the case to have reached Awaiting action (historical cases predate Winnow's assessments, so by hand).
        closed_at = min(referral.received_at + timedelta(days=rng.uniform(30, 200)), now)
        for step, days in ((Status.ASSESSMENT, 2), (Status.AWAITING_ACTION, 7)):
            referral_transition(actor=users["supervisor"], referral=referral, to_status=step,
                                reason="Demo historical case (fictional).",
                                now=min(referral.received_at + timedelta(days=days), closed_at))
        referral_transition(actor=users["supervisor"], referral=referral, to_status=Status.CLOSED,
                            disposition=rng.choice([Disposition.CHARGED, Disposition.CAUTIONED,
                                                    Disposition.NO_FURTHER_ACTION]),
                            reason="Demo historical case (fictional).", now=closed_at)
    # About one in eight people come back: link a later case's subject to an earlier one's, as linkage would.
    run = LinkageRun.objects.create(unit=unit, seconds=0.1, subjects=len(history), pairs_scored=0,
                                    proposals_created=0, threshold=0.9, by=users["supervisor"])
    for i, earlier in enumerate(history):
        if rng.random() >= 0.12:
            continue
        later_pool = history[i + 1:i + 1 + 80]
        if not later_pool:
            continue
        later = rng.choice(later_pool)
        left, right = sorted((earlier.subjects.get(), later.subjects.get()), key=lambda s: s.pk)
        if LinkProposal.objects.filter(left_subject=left, right_subject=right).exists():
            continue
        proposal = LinkProposal.objects.create(unit=unit, run=run, left_subject=left, right_subject=right,
                                               match_probability=0.96, match_weight=7.5, fields=[])
        try:
            proposal_decide(proposal=proposal, accept=True, actor=users["supervisor"],
                            reason="Demo: fictional match (same person, later referral).")
        except LinkageRefused:  # already the same person through another merge: leave it undecided
            continue
    # Count the merges into the re-referral events now, rather than at the task worker's next heartbeat.
    rereferral_refresh(unit_id=unit.pk)
