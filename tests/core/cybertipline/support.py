"""Shared helpers for the CyberTipline tests: the fictional sample package and small documents built in tests."""

import io
import zipfile
from pathlib import Path

SAMPLE_DIR = Path(__file__).parent / "sample"
SHARED_SAMPLE_DIR = Path(__file__).resolve().parents[4] / "shared" / "data" / "cybertipline"
REPORT = SAMPLE_DIR / "report-sample.xml"
FILE_1 = SAMPLE_DIR / "filedetails-1.xml"
FILE_2 = SAMPLE_DIR / "filedetails-2.xml"
SAMPLE_PATHS = (REPORT, FILE_1, FILE_2)

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def report_xml(body: str = "", *, summary: str | None = None) -> bytes:
    """A minimal valid report whose incidentSummary and other children can be replaced."""
    if summary is None:
        summary = (
            "<incidentType>Online Enticement of Children for Sexual Acts</incidentType>"
            "<incidentDateTime>2026-10-03T21:14:09Z</incidentDateTime>"
        )
    return f"{DECLARATION}<report><incidentSummary>{summary}</incidentSummary>{body}</report>".encode()


def reported_person_xml(inner: str) -> bytes:
    return report_xml(f"<personOrUserReported>{inner}</personOrUserReported>")


def file_details_xml(inner: str = "", *, file_id: str = "f-1") -> bytes:
    return f"{DECLARATION}<fileDetails><fileId>{file_id}</fileId>{inner}</fileDetails>".encode()


def zip_bytes(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def sample_zip() -> bytes:
    return zip_bytes({path.name: path.read_bytes() for path in SAMPLE_PATHS})
