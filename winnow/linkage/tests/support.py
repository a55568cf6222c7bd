"""Helpers for deconfliction tests: the fictional CyberTipline sample and referrals recorded through the service."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from django.utils import timezone

from winnow.core.intake import referral_from_mapping
from winnow.linkage.cybertip import CyberTiplineImport, cybertipline_import, parse_upload
from winnow.referrals.services import canonical_json, referral_record

SAMPLE = Path(__file__).resolve().parents[3] / "tests" / "core" / "cybertipline" / "sample"
SAMPLE_FILES = ["report-sample.xml", "filedetails-1.xml", "filedetails-2.xml"]


def sample_documents(names: list[str] = SAMPLE_FILES) -> list[tuple[str, bytes]]:
    return [(name, (SAMPLE / name).read_bytes()) for name in names]


def sample_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sample_documents():
            archive.writestr(name, content)
    return buffer.getvalue()


def import_documents(documents: list[tuple[str, bytes]], *, actor: Any, unit: Any, report_id: int | None = None,
                     now: Any = None) -> CyberTiplineImport:
    package, zip_content, zip_name = parse_upload(documents, report_id=report_id)
    return cybertipline_import(actor=actor, unit=unit, package=package, zip_content=zip_content,
                               zip_name=zip_name, request_id="test", now=now)


def record(actor: Any, unit: Any, *, reference: str = "", subjects: list[dict[str, Any]],
           received_at: str = "2026-11-02T10:15:00+00:00") -> Any:
    mapping = {
        "source": "force_intelligence", "source_reference": reference, "received_at": received_at,
        "summary": "Fictional test referral.", "immediate_danger": False, "subjects": subjects,
    }
    draft = referral_from_mapping(mapping, now=timezone.now())
    return referral_record(actor=actor, unit=unit, draft=draft, raw=canonical_json(mapping),
                           media_type="application/json", via="form", request_id="test")
