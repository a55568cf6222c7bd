"""Zipped packages: read like separate files; bombs, traversal names, nested archives and liars refused from the
archive's directory before anything is decompressed."""

import io
import struct
import time
import tracemalloc
import warnings
import zipfile

import pytest

from winnow.core.cybertipline import CyberTiplineError, Limits, PackageLimitError, read_package, read_zip

from .support import SAMPLE_PATHS, file_details_xml, report_xml, sample_zip, zip_bytes

MiB = 1024 * 1024


def refused(source, **kwargs) -> CyberTiplineError:
    started = time.perf_counter()
    with pytest.raises(CyberTiplineError) as caught:
        read_zip(source, **kwargs)
    assert time.perf_counter() - started < 5
    return caught.value


def test_it_reads_a_zip_from_a_path_bytes_or_an_open_file(tmp_path):
    path = tmp_path / "package.zip"
    path.write_bytes(sample_zip())
    from_path = read_package(path)
    assert from_path == read_zip(sample_zip()) == read_package(*SAMPLE_PATHS)
    with open(path, "rb") as handle:
        assert read_zip(handle) == from_path
        assert not handle.closed  # the caller's file is left open


def test_it_ignores_folders_and_macos_resource_forks_and_reads_nested_paths():
    package = read_zip(
        zip_bytes(
            {"pkg/": b"", "pkg/report.xml": report_xml(), "__MACOSX/pkg/._report.xml": b"\x00\x05\x16\x07"}
        )
    )
    assert package.report.document.name == "pkg/report.xml"


def test_it_refuses_a_zip_bomb_from_its_compression_ratio_before_decompressing(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("report.xml", "w") as member:
            member.write(b"<report><additionalInfo>")
            zeros = b"0" * MiB
            for _ in range(45):
                member.write(zeros)
            member.write(b"</additionalInfo></report>")
    assert path.stat().st_size < 200_000
    tracemalloc.start()
    try:
        error = refused(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(error, PackageLimitError)
    assert error.document == "bomb.zip" and error.element_path == "report.xml"
    assert "compression ratio" in error.reason
    assert peak < 2 * MiB  # nothing was decompressed


def test_it_refuses_a_member_declaring_more_than_the_document_limit():
    error = refused(zip_bytes({"report.xml": report_xml("<additionalInfo>" + "x" * 5000 + "</additionalInfo>")}),
                    limits=Limits(max_document_bytes=4096))  # fmt: skip
    assert isinstance(error, PackageLimitError) and "declares" in error.reason


def test_it_refuses_members_totalling_more_than_the_uncompressed_limit():
    members = {f"f{i}.xml": file_details_xml(file_id=str(i)) for i in range(10)}
    error = refused(
        zip_bytes({"report.xml": report_xml(), **members}), limits=Limits(max_total_uncompressed_bytes=1000)
    )
    assert isinstance(error, PackageLimitError) and "uncompressed" in error.reason


def test_it_refuses_too_many_members():
    members = {f"f{i}.xml": file_details_xml(file_id=str(i)) for i in range(5)}
    error = refused(zip_bytes(members), limits=Limits(max_zip_members=3))
    assert isinstance(error, PackageLimitError) and "5 members" in error.reason


def test_it_refuses_an_archive_larger_than_the_archive_limit():
    error = refused(sample_zip(), limits=Limits(max_zip_bytes=100))
    assert isinstance(error, PackageLimitError) and "archive of" in error.reason


@pytest.mark.parametrize(
    "name",
    ["../report.xml", "pkg/../../etc/report.xml", "/etc/report.xml", "C:/report.xml", "..\\report.xml"],
)
def test_it_refuses_member_names_that_climb_out_or_are_absolute(name):
    error = refused(zip_bytes({name: report_xml()}))
    assert error.element_path == name and "unsafe member name" in error.reason


def test_it_refuses_nested_archives_by_name_and_by_content():
    inner = sample_zip()
    assert "nested archives" in refused(zip_bytes({"report.xml": report_xml(), "inner.zip": inner})).reason
    error = refused(zip_bytes({"report.xml": report_xml(), "disguised.xml": inner}))
    assert error.element_path == "disguised.xml" and "nested archives" in error.reason


def test_it_refuses_members_that_are_not_xml_documents():
    error = refused(zip_bytes({"report.xml": report_xml(), "IMG_2231.JPG": b"\xff\xd8\xff"}))
    assert error.element_path == "IMG_2231.JPG" and "only .xml" in error.reason


def test_it_refuses_duplicate_member_names():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns when writing a duplicate name
        archive = zip_bytes({"report.xml": report_xml()})
        buffer = io.BytesIO(archive)
        with zipfile.ZipFile(buffer, "a") as handle:
            handle.writestr("report.xml", report_xml())
    assert "two members with this name" in refused(buffer.getvalue()).reason


def test_it_refuses_a_member_whose_header_understates_its_size():
    archive = bytearray(
        zip_bytes({"report.xml": report_xml("<additionalInfo>" + "x" * 4000 + "</additionalInfo>")})
    )
    local, central = archive.find(b"PK\x03\x04"), archive.find(b"PK\x01\x02")
    archive[local + 22 : local + 26] = struct.pack("<I", 100)  # uncompressed size in the local header
    archive[central + 24 : central + 28] = struct.pack("<I", 100)  # and in the central directory
    error = refused(bytes(archive))
    assert error.element_path == "report.xml"


def test_it_refuses_what_is_not_a_zip():
    assert "not a readable zip" in refused(b"PK\x03\x04 but then nonsense").reason
    assert "not a readable zip" in refused(b"").reason


def test_it_reports_a_malformed_document_inside_a_zip_by_its_member_name():
    error = refused(zip_bytes({"pkg/report.xml": report_xml(summary="<incidentType>Nope</incidentType>")}))
    assert (error.document, error.element_path) == ("pkg/report.xml", "/report/incidentSummary/incidentType")


def test_it_refuses_a_zip_given_alongside_other_files(tmp_path):
    path = tmp_path / "package.zip"
    path.write_bytes(sample_zip())
    with pytest.raises(CyberTiplineError, match="only file of its package"):
        read_package(SAMPLE_PATHS[0], path)
