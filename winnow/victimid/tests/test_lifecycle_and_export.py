"""The lifecycle as records (child identified → a victim subject on the referral; safeguarded needs a dated note),
and the VICS 2.0 export: round-trips through Winnow's importer, only the unit's own members, audited."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from winnow.audit.models import AuditEvent
from winnow.core.hashsets import parse_hashset
from winnow.referrals.models import Subject
from winnow.victimid.models import Series, SeriesEvent, SeriesExport
from winnow.victimid.services import Child, SeriesError, series_export, series_transition

from .support import Scene

pytestmark = pytest.mark.django_db


def _shared(scene: Scene) -> Series:
    return Series.objects.get(members__item__md5=scene.shared_md5s[0], members__item__unit__code="north")


def _walk_to_in_progress(series: Series, unit_id: int, actor: Any) -> None:
    for to in ("under_review", "in_progress"):
        series_transition(actor=actor, series=series, unit_id=unit_id, to=to, reason=f"Step {to}.")


def test_child_identified_is_a_victim_subject_of_the_referral(synced: dict[str, Any], scene: Scene,
                                                               forensic: Any) -> None:
    shared, referral = _shared(scene), synced["north"].referral
    _walk_to_in_progress(shared, referral.unit_id, forensic)
    event = series_transition(actor=forensic, series=shared, unit_id=referral.unit_id, to="child_identified",
                              reason="Identified from background details.", grading="B", age_band="prepubescent",
                              child=Child("Fictia", "Example", date(2016, 5, 1), "female"), referral=referral)
    subject = Subject.objects.get(pk=event.subject_id)
    assert (subject.referral_id, subject.role, subject.given_names) == (referral.pk, "victim", "Fictia")
    assert AuditEvent.objects.filter(action="subject.create", target_id=str(subject.pk)).exists()
    with pytest.raises(SeriesError, match="safeguarding"):
        series_transition(actor=forensic, series=shared, unit_id=referral.unit_id, to="safeguarded",
                          reason="Done.")
    series_transition(actor=forensic, series=shared, unit_id=referral.unit_id, to="safeguarded",
                      reason="Strategy meeting held.", safeguarding_note="Child safeguarded with the local authority.",
                      safeguarding_date=date(2026, 11, 30))
    assert list(SeriesEvent.objects.filter(series=shared).values_list("status", flat=True)) == [
        "under_review", "in_progress", "child_identified", "safeguarded"]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"to": "child_identified", "reason": "x"}, "status"),
    ({"to": "flying", "reason": "x"}, "status"),
    ({"to": "under_review", "reason": "   "}, "reason"),
    ({"to": "under_review", "reason": "x", "grading": "Z"}, "grading"),
    ({"to": "under_review", "reason": "x", "age_band": "ancient"}, "age band"),
])
def test_bad_steps_name_the_field_and_write_nothing(synced: dict[str, Any], scene: Scene, forensic: Any,
                                                    kwargs: dict[str, Any], field: str) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(SeriesError, match=f"^{field}:"):
        series_transition(actor=forensic, series=_shared(scene), unit_id=synced["north"].unit_id, **kwargs)
    assert not SeriesEvent.objects.exists() and AuditEvent.objects.count() == before


def test_a_child_needs_one_of_the_units_referrals(synced: dict[str, Any], scene: Scene, forensic: Any) -> None:
    shared = _shared(scene)
    _walk_to_in_progress(shared, synced["north"].unit_id, forensic)
    with pytest.raises(SeriesError, match="^referral:"):
        series_transition(actor=forensic, series=shared, unit_id=synced["north"].unit_id, to="child_identified",
                          reason="x", child=Child("A", "B", None, "unknown"), referral=synced["east"].referral)
    assert not Subject.objects.filter(role="victim").exists()


def test_the_export_round_trips_with_only_the_units_members_and_is_audited(
        synced: dict[str, Any], scene: Scene, forensic: Any, administrator: Any, tmp_path: Path) -> None:
    shared = _shared(scene)
    series_transition(actor=forensic, series=shared, unit_id=synced["north"].unit_id, to="under_review",
                      reason="Graded in the forensic tool.", grading="C")
    done = series_export(actor=forensic, series=shared, unit_id=synced["north"].unit_id,
                         recipient="CAID victim identification (fictional)")
    path = tmp_path / "out.json"
    path.write_bytes(done.data)
    parse = parse_hashset(path)
    records = list(parse)
    assert sorted(r.md5 for r in records) == sorted(scene.shared_md5s)
    assert all(r.sha1 and r.pdq for r in records) and parse.report.entries == 2
    assert {r.case_id for r in records} == {synced["north"].referral.reference}
    from winnow.triage.services import hash_set_import

    imported = hash_set_import(actor=administrator, path=path, name="Round trip").hash_set  # Winnow's own importer
    assert (imported.format, imported.entries, imported.distinct_md5, imported.distinct_sha1) == ("vics", 2, 2, 2)
    assert set(imported.hash_entries.values_list("md5", flat=True)) == set(scene.shared_md5s)
    doc = json.loads(done.data)
    assert doc["value"][0]["Media"][0]["Tags"] == ["UK Category C"]
    text = done.data.decode()
    assert "a.jpg" not in text and "Fictocam" not in text and "fran.forensic" not in text
    record = SeriesExport.objects.get()
    # a re-encoded copy may keep its PDQ exactly: distinct hashes and media are counted separately
    assert (record.media, record.md5, record.sha1) == (2, 2, 2) and record.pdq == len({r.pdq for r in records})
    event = AuditEvent.objects.get(action="series.export")
    assert event.detail["recipient"].startswith("CAID") and event.detail["sha256"] == record.sha256


def test_the_commands_list_and_export(synced: dict[str, Any], scene: Scene, forensic: Any,
                                      forensic_east: Any, tmp_path: Path) -> None:
    out = StringIO()
    call_command("series", unit="north", user="fran.forensic", json=True, stdout=out)
    listed = json.loads(out.getvalue())["series"]
    shared = _shared(scene)
    row = next(r for r in listed if r["id"] == shared.pk)
    assert row["members"] == 2 and row["also_seen_by"] == [{"unit": "Eastvale Test Unit", "members": 2}]
    assert row["referrals"] == [synced["north"].referral.reference] and row["status"] == "new"
    assert len(listed) == 2
    table = StringIO()
    call_command("series", unit="north", user="fran.forensic", stdout=table)
    assert "Eastvale Test Unit (2)" in table.getvalue()
    with pytest.raises(CommandError, match="does not work victim"):
        call_command("series", unit="north", user="edgar.eastforensic")
    target = tmp_path / "vics.json"
    msg = StringIO()
    call_command("export-series", str(shared.pk), out=str(target), user="fran.forensic", to="NCA VID team",
                 stdout=msg)
    assert "2 media" in msg.getvalue() and len(list(parse_hashset(target))) == 2
    with pytest.raises(CommandError, match="already exists"):
        call_command("export-series", str(shared.pk), out=str(target), user="fran.forensic", to="NCA VID team")
    with pytest.raises(CommandError, match="no series 999999"):
        call_command("export-series", "999999", out=str(tmp_path / "n.json"), user="fran.forensic", to="x")
    own = Series.objects.get(members__item__md5=scene.north_only_md5s[0])
    with pytest.raises(CommandError, match="no series"):
        call_command("export-series", str(own.pk), out=str(tmp_path / "e.json"), user="edgar.eastforensic", to="x")
    assert SeriesExport.objects.count() == 1


def test_the_commands_run_as_the_issue_writes_them(synced: dict[str, Any], scene: Scene, tmp_path: Path) -> None:
    """`winnow series --unit CODE [--json]` and `winnow export-series ID --out FILE`, with no --user or --to: the
    server's operator, recorded as such, and a recipient recorded as not stated."""
    out = StringIO()
    call_command("series", "--unit", "north", "--json", stdout=out)
    listed = json.loads(out.getvalue())["series"]
    assert len(listed) == 2
    listing = AuditEvent.objects.filter(action="series.list").latest("occurred_at")
    assert listing.actor_username == "system" and listing.detail["operator"]
    own = Series.objects.get(members__item__md5=scene.north_only_md5s[0])
    target = tmp_path / "own.json"
    call_command("export-series", str(own.pk), "--out", str(target), stdout=StringIO())
    assert len(list(parse_hashset(target))) == len(scene.north_only_md5s)
    record = SeriesExport.objects.get()
    assert record.by is None and record.recipient.startswith("not stated")
    shared = _shared(scene)  # members in both units: the operator must say whose
    with pytest.raises(CommandError, match="members in east, north; name the one unit"):
        call_command("export-series", str(shared.pk), "--out", str(tmp_path / "s.json"))
    call_command("export-series", str(shared.pk), "--out", str(tmp_path / "s.json"), "--unit", "east",
                 stdout=StringIO())
    assert SeriesExport.objects.filter(unit__code="east").count() == 1
    with pytest.raises(CommandError, match="--user: no active user 'nobody'"):
        call_command("series", "--unit", "north", "--user", "nobody")
