"""The youth safeguarding pathway's questions (domain reference §4): Outcome 21 and its exclusion conditions.

Outcome 21 (Home Office counting rules, 2016) may be considered for youth-produced imagery only when there is no
adult involvement, exploitation, coercion, malice or profit motive. UKCIS (2024) lists conditions that need an
immediate referral to police or children's social care. Each condition is answered Yes, No or Unknown with a
reason. Unknown is not No: Outcome 21 is refused unless every one of the five exclusion conditions is answered No.
The immediate-referral conditions do not by themselves refuse Outcome 21; a Yes to any of them is shown as a need
to refer immediately.
"""

from __future__ import annotations

from typing import Final

# id -> question. The first five are the Outcome 21 exclusions; the rest are UKCIS immediate-referral conditions.
OUTCOME_21_EXCLUSIONS: Final = {
    "adult_involvement": "An adult is involved",
    "exploitation": "There is exploitation",
    "coercion": "There is coercion (including blackmail or grooming)",
    "malice": "There is malice",
    "profit_motive": "There is a profit motive",
}
UKCIS_IMMEDIATE: Final = {
    "consent_capacity": "There is concern about a child's capacity to consent",
    "atypical_or_violent": "The acts are atypical for the child's development, or violent",
    "pictured_under_13": "A child pictured is under 13",
    "immediate_risk": "A child is at immediate risk of harm",
}
CONDITIONS: Final = {**OUTCOME_21_EXCLUSIONS, **UKCIS_IMMEDIATE}
ANSWERS: Final = ("yes", "no", "unknown")


def outcome_21_blockers(conditions: dict[str, str]) -> list[str]:
    """The exclusion conditions that rule Outcome 21 out: any not answered No (Yes, or Unknown)."""
    return [cid for cid in OUTCOME_21_EXCLUSIONS if conditions.get(cid, "unknown") != "no"]


def immediate_referral_needed(conditions: dict[str, str]) -> list[str]:
    """UKCIS conditions (and adult involvement or coercion) answered Yes: refer to police/social care now."""
    keys = ("adult_involvement", "coercion", *UKCIS_IMMEDIATE)
    return [cid for cid in keys if conditions.get(cid) == "yes"]
