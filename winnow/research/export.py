"""The research export: disclosure-controlled aggregate tables, an optional pseudonymised record-level extract, and
a data dictionary, approved by a supervisor of the unit and recorded in the audit trail with its purpose and
recipient and the SHA-256 of every file.

A supervisor approves an export first (`export_approve`, from the research exports page), with its purpose, its
recipient and whether the record-level extract may go; `winnow research-export --unit CODE --out DIR
[--record-level]` then writes the oldest approval of the unit not yet used (`approval_for`), and says what is
missing when there is none. Each approval is used by one export.

What leaves: the trends tables (by year and by quarter, suppressed exactly as on screen), the re-referral life
table, youth-pathway cases by year. With `record_level`: one row per subject with case facts, keyed by an HMAC of
the person (the linked person where linkage has merged subjects, else the subject) under settings'
WINNOW_RESEARCH_KEY, never a reference number; quasi-identifiers generalised (five-year age band, year not date,
unit not address); no names, identifiers, addresses or free text. The extract is refused, with the reason and
nothing written, when any combination of the declared quasi-identifiers holds fewer than k people.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from winnow.accounts.models import Unit
from winnow.audit.services import AuditAction, audit_record
from winnow.core.trends import HIDDEN, life_table, pseudonym, smallest_class, trend_table
from winnow.linkage.models import PersonMembership
from winnow.permissions import Capability, can

from .gather import SECTIONS, km_intervals, rereferral, section_tables, threshold, today_london, youth_by_year
from .models import CaseFact, ExportApproval, ResearchExport
from .services import measures

QUASI_IDENTIFIERS = ("unit", "referral_year", "age_band", "sex")


class ExportRefused(Exception):
    """The export cannot be written; the message says why. Nothing was written."""


@dataclass(frozen=True)
class Written:
    export: ResearchExport
    files: dict[str, str]


def _csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _aggregate_files(unit: Unit) -> dict[str, tuple[list[str], list[list[Any]]]]:
    files: dict[str, tuple[list[str], list[list[Any]]]] = {}
    for section in SECTIONS:
        for tables in section_tables(unit.pk, section):
            files[f"trends_{tables.measure.code}_by_year.csv"] = tables.by_year.csv_rows()
            files[f"trends_{tables.measure.code}_by_quarter.csv"] = tables.by_quarter.csv_rows()
    youth = youth_by_year(unit.pk)
    years = sorted(youth["all"])
    table = trend_table(measure="youth", label="Youth pathway", options=[("youth", "Youth pathway")],
                        periods=[str(y) for y in years],
                        counts={("youth", str(y)): c for y, c in youth["youth"].items()},
                        n={str(y): c for y, c in youth["all"].items()}, threshold=threshold(), one_choice=False)
    files["youth_pathway_by_year.csv"] = table.csv_rows()
    km = rereferral(unit.pk, today=today_london(timezone.now())).km
    life = life_table(km_intervals(km), threshold())
    columns = ["from_day", "to_day", "at_risk", "events", "censored", "survival", "low", "high"]
    files["rereferral_life_table.csv"] = (columns, [
        [row[c] if row[c] == HIDDEN or c not in ("survival", "low", "high") else f"{row[c]:.4f}" for c in columns]
        for row in life])
    return files


def _record_rows(unit: Unit, key: bytes) -> tuple[list[str], list[dict[str, Any]]]:
    all_measures = measures()
    person_of = dict(PersonMembership.objects.standing().filter(subject__unit_id=unit.pk)
                     .values_list("subject_id", "person_id"))
    facts: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    quarter_of: dict[int, int] = {}
    for subject_id, code, value, quarter in (CaseFact.objects.current().filter(unit=unit).order_by("id")
                                             .values_list("subject_id", "measure", "value", "quarter")):
        facts[subject_id][code].append(value)
        quarter_of[subject_id] = quarter
    header = ["person_key", *QUASI_IDENTIFIERS, *[m.code for m in all_measures if m.code not in ("age_band", "sex")]]
    rows = []
    for subject_id, recorded in facts.items():
        person = person_of.get(subject_id)
        # The key material is Winnow's internal id, never a reference number; the HMAC makes it unlinkable
        # without WINNOW_RESEARCH_KEY.
        material = f"{unit.code}:person:{person}" if person else f"{unit.code}:subject:{subject_id}"
        row: dict[str, Any] = {"person_key": pseudonym(key, material), "unit": unit.code,
                               "referral_year": quarter_of[subject_id] // 10,
                               "age_band": ";".join(recorded.get("age_band", ["unknown"])),
                               "sex": ";".join(recorded.get("sex", ["not recorded"]))}
        for m in all_measures:
            if m.code not in ("age_band", "sex"):
                row[m.code] = ";".join(recorded.get(m.code, ["not recorded"]))
        rows.append(row)
    return header, rows


def _dictionary(files: list[str], record_level: bool) -> list[list[str]]:
    rows = [
        ["*", "", f"Cells from 1 to {threshold() - 1} are shown as {HIDDEN}, and so is any cell that would let one be "
                  "worked out from a total (secondary suppression)."],
        ["trends_*", "measure", "The case-facts measure (codes below)"],
        ["trends_*", "option", "The option of the measure"],
        ["trends_*", "period", "Year, or year and quarter, the referral was received (London time)"],
        ["trends_*", "cases", "Subjects with this option recorded (several options may apply for multi-choice measures)"],
        ["trends_*", "n", "Subjects with this measure recorded at all in the period; not recorded is not counted"],
        ["trends_*", "share, share_low_95, share_high_95", "cases / n with its 95% Wilson interval"],
        ["youth_pathway_by_year.csv", "cases, n", "Referrals with a youth-pathway decision; all referrals received"],
        ["rereferral_life_table.csv", "at_risk, events, censored",
         "Referrals still followed at the start of the interval, re-referred within it (a later referral of the same "
         "linked person), and censored within it (followed no longer)"],
        ["rereferral_life_table.csv", "survival, low, high",
         "Kaplan-Meier share not yet re-referred at the end of the interval, 95% log(-log) interval"],
    ]
    if record_level:
        rows += [
            ["extract.csv", "person_key", "HMAC-SHA256 of Winnow's internal person (or subject) id under the export key; "
                                          "not a reference number, not reversible without the key"],
            ["extract.csv", "unit", "The unit's code"],
            ["extract.csv", "referral_year", "Year the referral was received"],
            ["extract.csv", "age_band", "Five-year age band at referral, from the date of birth"],
            ["extract.csv", "(measures)", "Options recorded, separated by ';'; 'not recorded' where nobody recorded it"],
            ["extract.csv", "quasi-identifiers", f"{', '.join(QUASI_IDENTIFIERS)}: every combination holds at least "
                                                 f"{settings.WINNOW_RESEARCH_K} people"],
        ]
    for m in measures():
        for code, label in m.options:
            rows.append(["codes", f"{m.code}={code}", f"{m.label}: {label}"])
    rows.append(["files", "", ", ".join(files)])
    return rows


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export_approve(
    *, actor: Any, unit: Unit, purpose: str, recipient: str, record_level: bool, now: Any = None,
) -> ExportApproval:
    """A supervisor's approval of one research export, audited with its purpose and recipient. ExportRefused
    (nothing written) when the purpose or recipient is missing or the actor may not approve in the unit."""
    if not can(actor, Capability.APPROVE_RESEARCH_EXPORT, unit.pk):
        raise ExportRefused(f"{actor.get_username()} may not {Capability.APPROVE_RESEARCH_EXPORT.label} in {unit.code}")
    missing = [name for name, value in (("purpose", purpose), ("recipient", recipient)) if not value.strip()]
    if missing:
        raise ExportRefused(f"a research export approval needs its {' and its '.join(missing)}")
    with transaction.atomic():
        approval = ExportApproval(unit=unit, approved_by=actor, purpose=purpose.strip(), recipient=recipient.strip(),
                                  record_level=record_level, approved_at=now or timezone.now())
        approval.save(force_insert=True)
        audit_record(actor=actor, action=AuditAction.RESEARCH_EXPORT_APPROVE, unit_id=unit.pk, target=approval,
                     detail={"purpose": approval.purpose, "recipient": approval.recipient,
                             "record_level": record_level})
    return approval


def approval_for(unit: Unit, *, record_level: bool) -> ExportApproval:
    """The unit's oldest approval not yet used whose scope matches; ExportRefused naming what is missing."""
    unused = ExportApproval.objects.filter(unit=unit, export__isnull=True)
    found = unused.filter(record_level=record_level).order_by("approved_at", "id").first()
    if found is not None:
        return found
    where = f"a supervisor of {unit.code} approves one, with its purpose and recipient, on the research exports page"
    if record_level and unused.exists():
        raise ExportRefused(f"the unused approvals for {unit.code} do not cover the record-level extract: {where}, "
                            "ticking the record-level extract, or export the aggregate tables alone")
    if not record_level and unused.exists():
        raise ExportRefused(f"the unused approvals for {unit.code} are for a record-level extract: add "
                            f"--record-level, or {where} for the aggregate tables alone")
    scope = "a record-level extract" if record_level else "a research export"
    raise ExportRefused(f"no approval for {scope} of {unit.code} is recorded (or every one is used): {where} "
                        f"(/research/exports/?unit={unit.code})")


def research_export(
    *, approval: ExportApproval, out: Path,
) -> Written:
    """Write the approved export into `out` (which must be empty or absent) and record it against its approval.
    ExportRefused, with nothing written and the refusal audited, when the approval is used, the key is missing for
    a record-level extract, or the extract fails the k-anonymity check."""
    unit, approver, record_level = approval.unit, approval.approved_by, approval.record_level
    purpose, recipient = approval.purpose, approval.recipient
    if ResearchExport.objects.filter(approval=approval).exists():
        raise ExportRefused(f"approval {approval.pk} is already used: each approval is for one export")
    if out.exists() and any(out.iterdir()):
        raise ExportRefused(f"{out} is not empty: an export goes into a directory of its own")
    tables = _aggregate_files(unit)
    extract: tuple[list[str], list[dict[str, Any]]] | None = None
    k = int(settings.WINNOW_RESEARCH_K)
    if record_level:
        key = settings.WINNOW_RESEARCH_KEY.encode()
        if not key:
            raise ExportRefused("a record-level extract needs WINNOW_RESEARCH_KEY (the key for the keyed hash)")
        extract = _record_rows(unit, key)
        size, values = smallest_class(extract[1], QUASI_IDENTIFIERS)
        if extract[1] and size < k:
            reason = (f"the record-level extract is below k = {k}: {size} "
                      f"{'person has' if size == 1 else 'people have'} the quasi-identifiers "
                      f"{dict(zip(QUASI_IDENTIFIERS, values or (), strict=False))}; nothing was written")
            with transaction.atomic():
                audit_record(actor=approver, action=AuditAction.RESEARCH_EXPORT_REFUSED, unit_id=unit.pk,
                             detail={"purpose": purpose.strip(), "recipient": recipient.strip(), "reason": reason})
            raise ExportRefused(reason)
    out.mkdir(parents=True, exist_ok=True)
    for name, (header, rows) in tables.items():
        _csv(out / name, header, rows)
    names = list(tables)
    if extract is not None:
        _csv(out / "extract.csv", extract[0], [[row[c] for c in extract[0]] for row in extract[1]])
        names.append("extract.csv")
    _csv(out / "data_dictionary.csv", ["file", "column", "meaning"], _dictionary(names, record_level))
    names.append("data_dictionary.csv")
    hashes = {name: _sha256(out / name) for name in names}
    with transaction.atomic():
        export = ResearchExport(unit=unit, approved_by=approver, purpose=purpose.strip(), recipient=recipient.strip(),
                                record_level=record_level, threshold=threshold(), k=k, files=hashes,
                                approval=approval)
        export.save(force_insert=True)
        audit_record(actor=approver, action=AuditAction.RESEARCH_EXPORT, unit_id=unit.pk, target=export,
                     detail={"approval": approval.pk, "purpose": export.purpose, "recipient": export.recipient,
                             "record_level": record_level,
                             "threshold": export.threshold, "k": k, "files": hashes})
    manifest = {"export": export.pk, "approval": approval.pk, "unit": unit.code, "approved_by": approver.get_username(),
                "purpose": export.purpose, "recipient": export.recipient, "record_level": record_level,
                "threshold": export.threshold, "k": k, "created_at": export.created_at.isoformat(), "files": hashes}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return Written(export, hashes)
