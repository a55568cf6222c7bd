"""Helpers for intake tests: the fictional CyberTipline sample, imported through the service."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from winnow.intake.cybertip import CyberTiplineImport, cybertipline_import, parse_upload

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
                     now: Any = None, immediate_danger: bool = False) -> CyberTiplineImport:
    package, zip_content, zip_name = parse_upload(documents, report_id=report_id)
    return cybertipline_import(actor=actor, unit=unit, package=package, zip_content=zip_content,
                               zip_name=zip_name, now=now, immediate_danger=immediate_danger)
