"""Recording structured case facts (with their audit events and the derived trend counts), and rebuilding the
counts from the facts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from winnow.accounts.models import Unit
from winnow.audit.services import AuditAction, audit_record
from winnow.core.priority import LONDON
from winnow.core.trends import Measure, Vocabulary, age_band, age_on, load_vocabulary
from winnow.referrals.models import Referral, Subject
from winnow.triage.models import CollectionSummary
from winnow.triage.services import category_files

from .models import CaseFact, TrendCount
from .rereferral import rereferral_rebuild, rereferral_recompute

AGE_BANDS = ("under 10", *(f"{a}-{a + 4}" for a in range(10, 90, 5)), "90+")
# Derived from the subject's date of birth and the referral's receipt, never typed in.
AGE = Measure("age_band", "profile", "Age at referral (derived from date of birth)", "one",
              tuple((b, b) for b in AGE_BANDS) + (("unknown", "Unknown"),))


class CaseFactError(ValueError):
    """Facts that cannot be recorded; the message names the measure and the reason. Nothing was written."""


@cache
def _vocabulary(extra: tuple[str, ...]) -> Vocabulary:
    return load_vocabulary(extra)


def vocabulary() -> Vocabulary:
    """The shipped vocabulary with the force's extension files (settings.WINNOW_CASE_FACTS_EXTRA)."""
    return _vocabulary(tuple(settings.WINNOW_CASE_FACTS_EXTRA))


def measures() -> tuple[Measure, ...]:
    return (AGE, *vocabulary().measures)


def measure(code: str) -> Measure:
    return AGE if code == AGE.code else vocabulary()[code]


def quarter_of(at: datetime) -> int:
    local = at.astimezone(LONDON)
    return local.year * 10 + (local.month - 1) // 3 + 1


UK_CATEGORIES = ("A", "B", "C")


def files_band(files: int) -> str:
    return "0" if files <= 0 else "1-9" if files < 10 else "10-99" if files < 100 else "100-999" if files < 1000 else "1000+"


def exhibit_facts(referral: Referral) -> tuple[dict[str, str], dict[str, int]]:
    """What the referral's exhibit summaries say for the material measures, to fill in the facts form: the band of
    files matched to each UK category (files_a, files_b, files_c) and the most severe category matched; and the
    files per category. Nothing when no exhibit is summarised. No matched file suggests no severity: material the
    hash sets do not know may still be indecent."""
    counts = category_files(referral)
    if not counts and not CollectionSummary.objects.filter(exhibit__referral=referral).exists():
        return {}, {}
    files = dict.fromkeys(UK_CATEGORIES, 0)
    for (_, code, _), n in counts.items():
        if code in files:
            files[code] += n
    suggested = {f"files_{code.lower()}": files_band(n) for code, n in files.items()}
    severe = next((code for code in UK_CATEGORIES if files[code] > 0), None)
    if severe is not None:
        suggested["severity"] = severe.lower()
    return suggested, files


def current_facts(subject: Subject) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for fact in CaseFact.objects.current().filter(subject=subject).order_by("id"):
        out.setdefault(fact.measure, []).append(fact.value)
    return {code: tuple(values) for code, values in out.items()}


def _bump(unit_id: int, code: str, values: Iterable[str], quarter: int, by: int) -> None:
    for value in ("", *values):
        updated = TrendCount.objects.filter(unit_id=unit_id, measure=code, value=value, quarter=quarter).update(
            cases=F("cases") + by)
        if not updated:
            TrendCount.objects.create(unit_id=unit_id, measure=code, value=value, quarter=quarter, cases=by)


def _age_value(subject: Subject, referral: Referral) -> str:
    if subject.date_of_birth is None:
        return "unknown"
    return age_band(age_on(subject.date_of_birth, referral.received_at.astimezone(LONDON).date()))


def case_facts_record(
    *, actor: Any, subject: Subject, facts: Mapping[str, Iterable[str]], reason: str = "", now: datetime | None = None,
    fictional_demo: bool = False,
) -> list[str]:
    """Record the chosen options for each named measure of one subject. A measure already recorded with other
    options is corrected (needs a reason); one recorded with the same options is left alone. The subject's age
    band is derived on first recording. Returns the codes of the measures that changed; CaseFactError (nothing
    written) when any measure or option is not in the vocabulary."""
    now = now or timezone.now()
    chosen: dict[str, tuple[str, ...]] = {}
    for code, values in facts.items():
        if code == AGE.code:
            raise CaseFactError(f"{AGE.label} is derived, not recorded")
        try:
            chosen[code] = measure(code).check(values)
        except KeyError:
            raise CaseFactError(f"{code!r} is not a case-facts measure") from None
        except ValueError as exc:
            raise CaseFactError(str(exc)) from None
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=subject.referral_id)
        quarter = quarter_of(referral.received_at)
        existing = current_facts(subject)
        first = AGE.code not in existing
        if first:
            chosen = {AGE.code: (_age_value(subject, referral),), **chosen}
        changed = [code for code, values in chosen.items() if existing.get(code) != values]
        corrections = [code for code in changed if code in existing]
        if corrections and not reason.strip():
            raise CaseFactError(
                f"{', '.join(measure(c).label for c in corrections)}: already recorded; a correction needs a reason")
        for code in changed:
            old = list(CaseFact.objects.current().filter(subject=subject, measure=code).order_by("id"))
            if old:
                CaseFact.objects.filter(pk__in=[f.pk for f in old]).update(current=False)
                _bump(referral.unit_id, code, [f.value for f in old], quarter, -1)
            for value in chosen[code]:
                CaseFact(unit_id=referral.unit_id, referral=referral, subject=subject, measure=code, value=value,
                         quarter=quarter, corrects=old[0] if old else None, reason=reason.strip() if old else "",
                         recorded_at=now, recorded_by=actor, fictional_demo=fictional_demo).save(force_insert=True)
            _bump(referral.unit_id, code, chosen[code], quarter, 1)
        if first:  # a new case: re-referral follows it from now on (if linkage has put it into a person)
            rereferral_recompute(unit_id=referral.unit_id, subject_ids=[subject.pk])
        if changed:
            audit_record(
                actor=actor, action=AuditAction.CASEFACTS_CORRECT if corrections else AuditAction.CASEFACTS_RECORD,
                unit_id=referral.unit_id, target=subject,
                detail={"referral": referral.reference, "measures": changed, "corrected": corrections,
                        **({"reason": reason.strip()} if corrections else {})},
            )
    return changed


def trends_rebuild(*, unit_id: int | None = None) -> int:
    """Recompute the trend counts from the current facts and the re-referral events from the facts and linkage's
    memberships (for one unit, or all). Returns the rows written."""
    with transaction.atomic():
        counts = TrendCount.objects.all() if unit_id is None else TrendCount.objects.filter(unit_id=unit_id)
        counts.delete()
        facts = CaseFact.objects.current()
        if unit_id is not None:
            facts = facts.filter(unit_id=unit_id)
        rows = [TrendCount(unit_id=r["unit_id"], measure=r["measure"], value=r["value"], quarter=r["quarter"],
                           cases=r["n"])
                for r in facts.values("unit_id", "measure", "value", "quarter").annotate(n=Count("id"))]
        recorded = facts.values("unit_id", "measure", "quarter").annotate(n=Count("subject_id", distinct=True))
        rows += [TrendCount(unit_id=r["unit_id"], measure=r["measure"], value="", quarter=r["quarter"], cases=r["n"])
                 for r in recorded]
        TrendCount.objects.bulk_create(rows, batch_size=5000)
        units = [unit_id] if unit_id is not None else list(Unit.objects.values_list("pk", flat=True))
        events = sum(rereferral_rebuild(unit_id=u) for u in units)
    return len(rows) + events
