"""`winnow research-export`: approved by a supervisor of the unit, audited with purpose and recipient, no
identifying value in any file, no small cell, and a record-level extract below k refused with the reason."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from winnow.audit.models import AuditEvent
from winnow.audit.services import audit_verify
from winnow.referrals.models import Identifier, Referral, Subject
from winnow.research.models import ResearchExport

from .factories import cases_with_facts
from .linking import link

KEY = "fictional-test-key-not-for-use"


def _export(out: Path, approver: str = "sara.supervisor", *extra: str) -> None:
    call_command("research-export", "--unit", "north", "--out", str(out), "--approved-by", approver,
                 "--purpose", "Fictional study of concealment trends", "--recipient", "Example University", *extra)


def _secrets() -> set[str]:
    """Every name, email, phone, username, IP and reference number in the database, and the addresses."""
    values: set[str] = set()
    for subject in Subject.objects.all():
        values |= {v for v in (subject.given_names, subject.family_name, subject.display_name) if v != "Fictional"}
        values |= {a for a in subject.addresses}
    values |= set(Identifier.objects.values_list("value", flat=True))
    values |= set(Identifier.objects.values_list("normalised", flat=True))
    values |= set(Referral.objects.values_list("reference", flat=True))
    values |= {r for r in Referral.objects.values_list("source_reference", flat=True) if r}
    return {v for v in values if v}


@pytest.fixture
def alike(units: Any, investigator: Any, supervisor: Any) -> list[Any]:
    made = cases_with_facts(units["north"], investigator, 60, years=(2020, 2021), alike=True)
    link(supervisor, made[0].subjects.get(), made[1].subjects.get())  # a linked person: keyed as one person
    return made


def test_it_writes_tables_extract_and_dictionary_with_nothing_identifying(
    alike: list[Any], supervisor: Any, tmp_path: Path, settings: Any
) -> None:
    settings.WINNOW_RESEARCH_KEY = KEY
    out = tmp_path / "export"
    _export(out, "sara.supervisor", "--record-level")
    names = sorted(p.name for p in out.iterdir())
    assert {"extract.csv", "data_dictionary.csv", "manifest.json", "trends_concealment_by_year.csv",
            "trends_sex_by_quarter.csv", "rereferral_life_table.csv", "youth_pathway_by_year.csv"} <= set(names)
    secrets = _secrets()
    assert len(secrets) > 300
    for path in out.iterdir():
        text = path.read_text(encoding="utf-8").lower()
        for secret in secrets:
            assert secret.lower() not in text, (path.name, secret)
    counted = {**{p.name: ("cases", "n") for p in out.glob("trends_*.csv")},
               "youth_pathway_by_year.csv": ("cases", "n"),
               "rereferral_life_table.csv": ("at_risk", "events", "censored")}
    for name, columns in counted.items():  # every aggregate file: no cell from 1 to the threshold minus 1
        for row in csv.DictReader((out / name).open(encoding="utf-8")):
            for column in columns:
                assert row[column] == "[c]" or not 0 < int(row[column]) < 10, (name, row)
    extract = list(csv.DictReader((out / "extract.csv").open(encoding="utf-8")))
    assert len(extract) == 60
    assert {r["referral_year"] for r in extract} == {"2020", "2021"} and {r["age_band"] for r in extract} <= {
        "40-44", "45-49"}
    keys = [r["person_key"] for r in extract]
    assert len(set(keys)) == 59  # the two linked subjects are one person
    assert all(len(k) == 32 for k in keys)
    manifest = json.loads((out / "manifest.json").read_text())
    event = AuditEvent.objects.get(action="research.export")
    assert event.detail["purpose"] == "Fictional study of concealment trends"
    assert event.detail["recipient"] == "Example University" and event.actor == supervisor
    assert event.detail["files"] == manifest["files"] and manifest["files"]["extract.csv"]
    assert ResearchExport.objects.get().record_level is True
    assert audit_verify().ok


def test_an_extract_below_k_is_refused_with_the_reason_and_nothing_written(
    units: Any, investigator: Any, supervisor: Any, tmp_path: Path, settings: Any
) -> None:
    settings.WINNOW_RESEARCH_KEY = KEY
    cases_with_facts(units["north"], investigator, 30)  # scattered ages and years: small classes
    out = tmp_path / "export"
    with pytest.raises(CommandError, match=r"below k = 10: \d+ (person has|people have) the quasi-identifiers") as e:
        _export(out, "sara.supervisor", "--record-level")
    assert "nothing was written" in str(e.value)
    assert not out.exists() and not ResearchExport.objects.exists()
    assert AuditEvent.objects.filter(action="research.export_refused").count() == 1
    _export(out)  # the aggregate tables alone are fine: they are suppressed
    assert not (out / "extract.csv").exists() and (out / "data_dictionary.csv").exists()


def test_only_a_supervisor_of_the_unit_approves_and_a_key_is_needed(
    alike: list[Any], analyst: Any, outsider_supervisor: Any, tmp_path: Path, settings: Any
) -> None:
    for username in ("ana.analyst", "olga.outsider"):
        with pytest.raises(CommandError, match="approve a disclosure-controlled research export"):
            _export(tmp_path / username, username)
    with pytest.raises(CommandError, match="no active user"):
        _export(tmp_path / "x", "nobody.at.all")
    settings.WINNOW_RESEARCH_KEY = ""
    with pytest.raises(CommandError, match="needs WINNOW_RESEARCH_KEY"):
        _export(tmp_path / "y", "sara.supervisor", "--record-level")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "other.txt").write_text("someone else's file")
    with pytest.raises(CommandError, match="not empty"):
        _export(tmp_path / "busy", "sara.supervisor")
    assert not ResearchExport.objects.exists()
