"""Size, depth and count limits: a too-large document is refused before it is read; a large allowed one is parsed
without its memory growing beyond a small multiple of its size."""

import subprocess
import sys
import textwrap
import time
import tracemalloc

import pytest

from winnow.core import cybertipline
from winnow.core.cybertipline import DEFAULT_LIMITS, Limits, PackageLimitError, parse_report, read_package

from .support import report_xml

MiB = 1024 * 1024
HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<report><incidentSummary><incidentType>Child Sex Trafficking'
    b"</incidentType></incidentSummary><internetDetails><chatImIncident><content>"
)
TAIL = b"</content></chatImIncident></internetDetails></report>"
LINE = b"Fictional chat line, withheld from this generated test document.\n" * 16384  # 1 MiB


def write_report(path, mib: int) -> int:
    """Stream a well-formed report of about `mib` MiB of chat text to `path`; return its size."""
    with open(path, "wb") as handle:
        handle.write(HEAD)
        for _ in range(mib):
            handle.write(LINE)
        handle.write(TAIL)
    return path.stat().st_size


def test_it_refuses_a_200_mb_document_before_reading_it(tmp_path):
    path = tmp_path / "huge-report.xml"
    size = write_report(path, 200)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(PackageLimitError) as caught:
            read_package(path)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 5
    assert peak < 1 * MiB  # it never read the file
    assert caught.value.document == "huge-report.xml"
    assert f"{size:,} bytes" in caught.value.reason and "at most 52,428,800" in caught.value.reason


def test_it_refuses_oversized_bytes_before_parsing(monkeypatch):
    def must_not_parse(*args, **kwargs):
        raise AssertionError("parsed a document that is over the size limit")

    monkeypatch.setattr(cybertipline.package, "_build_tree", must_not_parse)
    with pytest.raises(PackageLimitError, match="at most 1,000"):
        parse_report(
            report_xml("<additionalInfo>" + "x" * 2000 + "</additionalInfo>"),
            limits=Limits(max_document_bytes=1000),
        )


def test_it_parses_a_large_allowed_document_within_a_bounded_memory(tmp_path):
    path = tmp_path / "large-report.xml"
    size = write_report(path, 45)
    assert size < DEFAULT_LIMITS.max_document_bytes
    tracemalloc.start()
    try:
        report = read_package(path).report
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(report.internet_details[0].content) > 44 * MiB
    # the bytes kept verbatim + the text pieces as expat delivers them + the joined text: measured 3.0x
    assert peak < 3.5 * size, f"peak {peak / MiB:.0f} MiB for a {size / MiB:.0f} MiB document"


def test_it_keeps_the_process_peak_rss_bounded_for_a_large_allowed_document(tmp_path):
    path = tmp_path / "large-report.xml"
    write_report(path, 45)
    script = textwrap.dedent(
        f"""
        import resource
        from winnow.core.cybertipline import read_package
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        read_package({str(path)!r})
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(before // 1024, after // 1024)
        """
    )
    command = [sys.executable, "-c", script]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)  # noqa: S603
    before_mib, after_mib = map(int, result.stdout.split())
    # 45 MiB document: bytes + text + transient parser buffers; measured about +100 MiB
    assert after_mib - before_mib < 200, result.stdout


def test_it_stops_at_the_element_count_limit():
    content = report_xml(
        "<personOrUserReported>" + "<displayName>G P V</displayName>" * 2000 + "</personOrUserReported>"
    )
    with pytest.raises(PackageLimitError, match="more than 1,000 elements") as caught:
        parse_report(content, limits=Limits(max_elements=1000))
    assert caught.value.element_path.startswith("/report/personOrUserReported/displayName[")


def test_it_stops_at_a_configured_depth():
    with pytest.raises(PackageLimitError, match="nested more than 3 deep"):
        parse_report(report_xml("<reporter><reportingPerson><email>a@example.com</email></reportingPerson></reporter>"),
                     limits=Limits(max_depth=3))  # fmt: skip
    assert parse_report(report_xml(), limits=Limits(max_depth=3)).incident_type is not None


def test_it_limits_the_number_of_documents_in_a_package(tmp_path):
    paths = []
    for i in range(4):
        path = tmp_path / f"f{i}.xml"
        path.write_bytes(report_xml())
        paths.append(path)
    with pytest.raises(PackageLimitError, match="at most 3"):
        read_package(*paths, limits=Limits(max_documents=3))
