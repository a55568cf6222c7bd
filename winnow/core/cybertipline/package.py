"""Reading a package's sources into `Package`: files or one zip (`read_package`, `read_zip`), or named documents
already in memory (`parse_package`, `parse_report`, `parse_file_details`). Sizes are checked before reading."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from typing import IO

from winnow.core.cybertipline.archive import _looks_like_zip, zip_documents
from winnow.core.cybertipline.errors import DEFAULT_LIMITS, CyberTiplineError, Limits, PackageLimitError
from winnow.core.cybertipline.model import Document, FileDetails, Package, Report
from winnow.core.cybertipline.reader import _Reader
from winnow.core.cybertipline.xmltree import _build_tree


def read_package(
    *paths: str | os.PathLike[str], report_id: int | None = None, limits: Limits = DEFAULT_LIMITS
) -> Package:
    """Read a package from files: one zip, or one report XML and any number of fileDetails XML (any order; the
    root element says which is which). Sizes are checked from the file system before anything is read."""
    if not paths:
        raise CyberTiplineError("package", "", "no files given")
    if len(paths) > limits.max_documents:
        raise PackageLimitError("package", "", f"{len(paths)} files; at most {limits.max_documents} allowed")
    if len(paths) == 1 and _looks_like_zip(paths[0]):
        return read_zip(paths[0], report_id=report_id, limits=limits)
    for path in paths:
        if _looks_like_zip(path):
            raise CyberTiplineError(
                os.path.basename(os.fspath(path)), "", "a zip must be the only file of its package"
            )
    documents = [(os.path.basename(os.fspath(path)), _read_file(path, limits)) for path in paths]
    return parse_package(documents, report_id=report_id, limits=limits)


def read_zip(
    source: str | os.PathLike[str] | bytes | IO[bytes],
    *,
    report_id: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    name: str | None = None,
) -> Package:
    """Read a zipped package. The archive's directory is checked whole before any member is decompressed."""
    return parse_package(zip_documents(source, limits=limits, name=name), report_id=report_id, limits=limits)


def parse_package(
    documents: Iterable[tuple[str, bytes]], *, report_id: int | None = None, limits: Limits = DEFAULT_LIMITS
) -> Package:
    """Parse named documents (name, bytes) into a package: exactly one `<report>`, any number of `<fileDetails>`.

    Every fileDetails/reportId must equal `report_id` when given, and each other; fileIds must be unique.
    """
    report: Report | None = None
    files: list[FileDetails] = []
    agreed_id, agreed_from = report_id, "the report id given"
    seen_file_ids: dict[str, str] = {}
    count = 0
    for name, content in documents:
        count += 1
        if count > limits.max_documents:
            raise PackageLimitError(name, "", f"more than {limits.max_documents} documents in one package")
        parsed = _parse_document(name, content, limits)
        if isinstance(parsed, Report):
            if report is not None:
                raise CyberTiplineError(
                    name,
                    "/report",
                    f"a package holds exactly one <report>; {report.document.name} is another",
                )
            report = parsed
            continue
        if parsed.report_id is not None:
            if agreed_id is None:
                agreed_id, agreed_from = parsed.report_id, name
            elif parsed.report_id != agreed_id:
                raise CyberTiplineError(
                    name,
                    "/fileDetails/reportId",
                    f"reportId {parsed.report_id} does not match the report ({agreed_id}, from {agreed_from})",
                )
        if parsed.file_id is not None:
            if parsed.file_id in seen_file_ids:
                raise CyberTiplineError(
                    name,
                    "/fileDetails/fileId",
                    f"fileId {parsed.file_id} is also in {seen_file_ids[parsed.file_id]}",
                )
            seen_file_ids[parsed.file_id] = name
        files.append(parsed)
    if report is None:
        raise CyberTiplineError("package", "", "no <report> document in the package")
    return Package(report=report, files=tuple(files), report_id=agreed_id)


def parse_report(content: bytes, *, name: str = "report.xml", limits: Limits = DEFAULT_LIMITS) -> Report:
    parsed = _parse_document(name, content, limits)
    if not isinstance(parsed, Report):
        raise CyberTiplineError(
            name, "/fileDetails", "wrong root element: expected <report>, found <fileDetails>"
        )
    return parsed


def parse_file_details(
    content: bytes, *, name: str = "fileDetails.xml", limits: Limits = DEFAULT_LIMITS
) -> FileDetails:
    parsed = _parse_document(name, content, limits)
    if not isinstance(parsed, FileDetails):
        raise CyberTiplineError(name, "/report", "wrong root element: expected <fileDetails>, found <report>")
    return parsed


def _parse_document(name: str, content: bytes, limits: Limits) -> Report | FileDetails:
    if not isinstance(content, bytes | bytearray | memoryview):
        raise CyberTiplineError(name, "", "a document must be given as bytes")
    if len(content) > limits.max_document_bytes:
        raise PackageLimitError(
            name, "", f"{len(content):,} bytes; a document may have at most {limits.max_document_bytes:,}"
        )
    content = bytes(content)
    root = _build_tree(name, content, limits)
    document = Document(name=name, root=root.tag, content=content, sha256=hashlib.sha256(content).hexdigest())
    if root.tag == "report":
        return _Reader(name).report(root, document)
    if root.tag == "fileDetails":
        return _Reader(name).file_details(root, document)
    raise CyberTiplineError(
        name, root.path, f"wrong root element <{root.tag}>: expected <report> or <fileDetails>"
    )


def _read_file(path: str | os.PathLike[str], limits: Limits) -> bytes:
    label = os.path.basename(os.fspath(path))
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise CyberTiplineError(label, "", "not a regular file")
        if info.st_size > limits.max_document_bytes:
            raise PackageLimitError(
                label,
                "",
                f"{info.st_size:,} bytes; a document may have at most {limits.max_document_bytes:,}",
            )
        with open(path, "rb") as handle:
            content = handle.read(limits.max_document_bytes + 1)  # the file may have grown since stat
    except OSError as exc:
        raise CyberTiplineError(label, "", f"cannot be read ({exc.strerror or exc})") from None
    if len(content) > limits.max_document_bytes:
        raise PackageLimitError(label, "", f"more than {limits.max_document_bytes:,} bytes")
    return content
