"""Every channel meets the same text rules: what a CSV refuses, a CyberTipline package refuses too."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command

from winnow.audit.models import AuditEvent
from winnow.core.cybertipline import CyberTiplineError
from winnow.core.intake import IntakeError
from winnow.intake.services import referrals_import
from winnow.linkage.models import CyberTiplineReport
from winnow.referrals.models import RawPackage, Referral, Subject

from .support import SAMPLE, SAMPLE_FILES, import_documents, sample_documents

RLO = "\u202e"  # right-to-left override: makes "gpj.exe" read as "exe.jpg"


def _with(name: str, old: bytes, new: str) -> list[tuple[str, bytes]]:
    documents = sample_documents()
    return [(n, c.replace(old, new.encode(), 1) if n == name else c) for n, c in documents]


def _nothing_written() -> None:
    assert not Referral.objects.exists() and not RawPackage.objects.exists()
    assert not Subject.objects.exists() and not CyberTiplineReport.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["referral.create", "cybertipline.import"]).exists()


def test_it_refuses_a_bidi_override_in_the_platform_naming_the_element(handler: Any, units: dict[str, Any]) -> None:
    documents = _with("report-sample.xml", b"<platform>Examplegram</platform>", f"<platform>Example{RLO}gram</platform>")
    with pytest.raises(CyberTiplineError) as caught:
        import_documents(documents, actor=handler, unit=units["north"])
    assert caught.value.document == "report-sample.xml"
    assert caught.value.element_path == "/report/platform"
    assert "U+202E" in caught.value.reason
    _nothing_written()


def test_the_same_character_in_a_csv_is_refused_by_the_same_rule(handler: Any, units: dict[str, Any]) -> None:
    csv = (
        "source,received_at,summary,immediate_danger,subject_given_names\n"
        f"ncmec,2026-11-20 14:30,Report from Example{RLO}gram,false,Alex\n"
    ).encode()
    with pytest.raises(IntakeError) as caught:
        referrals_import(actor=handler, unit=units["north"], filename="r.csv", content=csv, max_bytes=1 << 20)
    assert any("U+202E" in e.reason and e.field == "summary" for e in caught.value.errors)
    _nothing_written()


def test_it_refuses_markup_in_a_reported_persons_name(handler: Any, units: dict[str, Any]) -> None:
    documents = sample_documents()
    report = next(c for n, c in documents if n == "report-sample.xml")
    assert b"<screenName>skater_girl_x</screenName>" in report
    hostile = _with("report-sample.xml", b"<screenName>skater_girl_x</screenName>",
                    "<screenName>=HYPERLINK(\"http://192.0.2.1/\")</screenName>")
    with pytest.raises(CyberTiplineError) as caught:
        import_documents(hostile, actor=handler, unit=units["north"])
    assert caught.value.element_path.startswith("subjects[") and "formula" in caught.value.reason
    _nothing_written()


def test_the_command_says_where_and_why(handler: Any, units: dict[str, Any], tmp_path: Any) -> None:
    bad = tmp_path / "report.xml"
    bad.write_bytes((SAMPLE / SAMPLE_FILES[0]).read_bytes().replace(b"Examplegram</platform>",
                                                                     f"Example{RLO}gram</platform>".encode(), 1))
    with pytest.raises(CommandError, match=r"report\.xml, element /report/platform: contains the control character U\+202E"):
        call_command("import-cybertip", str(bad), "--unit", "north", "--user", "hannah.handler",
                     "--immediate-danger", "no")
    _nothing_written()
