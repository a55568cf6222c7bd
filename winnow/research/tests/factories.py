"""Fictional referrals with case facts, for the research tests."""

from __future__ import annotations

import random
from typing import Any

from django.utils import timezone

from winnow.core.intake import referral_from_mapping
from winnow.intake.services import canonical_json, referral_record
from winnow.research.services import case_facts_record, vocabulary

MEASURES = ("sex", "living_alone", "employment", "concealment", "methods", "severity", "youngest_age_band",
            "justification")


def fictional_referral(unit: Any, actor: Any, i: int, received: str, *, email: str = "", born: str | None = "1975-06-01") -> Any:
    mapping = {"source": "public", "received_at": received, "summary": f"Fictional research test referral {i}",
               "immediate_danger": False,
               "subjects": [{"role": "reported", "given_names": "Fictional", "family_name": f"Testperson{i}",
                             "date_of_birth": born, "sex": "male", "addresses": [f"{i} Example Road, Testtown"],
                             "identifiers": [{"kind": "email", "value": email or f"person{i}@example.org"},
                                             {"kind": "phone", "value": f"07700 900{i % 1000:03d}"},
                                             {"kind": "ip", "value": f"192.0.2.{i % 250 + 1}"},
                                             {"kind": "username", "value": f"fictional_user_{i}", "platform": "ExampleChat"}]}]}
    draft = referral_from_mapping(mapping, now=timezone.now())
    return referral_record(actor=actor, unit=unit, draft=draft, raw=canonical_json(mapping),
                           media_type="application/json", via="form")


def random_facts(rng: random.Random) -> dict[str, list[str]]:
    out = {}
    for code in MEASURES:
        m = vocabulary()[code]
        if rng.random() < 0.15:
            continue  # not recorded
        if m.kind == "one":
            out[code] = [rng.choice(m.codes)]
        else:
            plain = [c for c in m.codes if c not in ("none", "unknown", "none_given", "not_interviewed")]
            out[code] = rng.sample(plain, k=rng.randint(1, 3)) if rng.random() < 0.8 else [rng.choice(m.codes)]
    return out


def cases_with_facts(unit: Any, actor: Any, count: int, seed: int = 3, years: tuple[int, ...] = (2019, 2020, 2021, 2022),
                     *, alike: bool = False) -> list[Any]:
    """`alike`: every subject born on one day and male, received in early January (so quasi-identifier classes are
    large and a record-level extract passes k)."""
    rng = random.Random(seed)
    made = []
    for i in range(count):
        year = rng.choice(years)
        received = (f"{year}-01-0{rng.randint(2, 9)}T10:00:00+00:00" if alike else
                    f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00+00:00")
        born = "1975-06-01" if alike else (None if rng.random() < 0.1 else
                                           f"{rng.randint(1950, 2000)}-03-0{rng.randint(1, 9)}")
        referral = fictional_referral(unit, actor, i + 1000 * (seed % 7), received, born=born)
        facts = random_facts(rng)
        if alike:
            facts["sex"] = ["male"]
        case_facts_record(actor=actor, subject=referral.subjects.get(), facts=facts)
        made.append(referral)
    return made
