"""Zip packages checked as a whole from their directory before anything is decompressed (member count, declared
sizes, compression ratio, unsafe or duplicate names, nested archives, encryption), then read member by member
with a cap in case a header lied."""

from __future__ import annotations

import io
import os
import re
import zipfile
from typing import IO

from winnow.core.cybertipline.errors import CyberTiplineError, Limits, MiB, PackageLimitError


def zip_documents(
    source: str | os.PathLike[str] | bytes | IO[bytes], *, limits: Limits, name: str | None
) -> list[tuple[str, bytes]]:
    """The (name, bytes) of every member of a zipped package, once its directory has passed the checks."""
    label, handle, owned = _open_zip_source(source, limits, name)
    try:
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
            raise CyberTiplineError(label, "", f"not a readable zip archive ({exc})") from None
        with archive:  # closes only what ZipFile opened itself, never a caller's file
            members = _check_zip_directory(archive, label, limits)
            return [(info.filename, _read_member(archive, info, label, limits)) for info in members]
    finally:
        if owned:
            handle.close()


def _looks_like_zip(path: str | os.PathLike[str]) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
    except OSError:
        return False


def _open_zip_source(
    source: str | os.PathLike[str] | bytes | IO[bytes], limits: Limits, name: str | None
) -> tuple[str, IO[bytes], bool]:
    """(label, seekable binary handle, whether we opened it and must close it); the archive size is checked first."""
    if isinstance(source, bytes | bytearray):
        label = name or "package.zip"
        _check_zip_size(label, len(source), limits)
        return label, io.BytesIO(source), True
    if isinstance(source, str | os.PathLike):
        label = name or os.path.basename(os.fspath(source))
        try:
            _check_zip_size(label, os.stat(source).st_size, limits)
            return label, open(source, "rb"), True  # noqa: SIM115 - closed by zip_documents
        except OSError as exc:
            raise CyberTiplineError(label, "", f"cannot be read ({exc.strerror or exc})") from None
    label = name or "package.zip"
    if not (source.seekable() and source.readable()):
        raise CyberTiplineError(label, "", "a zip must be given as a path, bytes or a seekable binary file")
    start = source.tell()
    end = source.seek(0, io.SEEK_END)
    source.seek(start)
    _check_zip_size(label, end - start, limits)
    return label, source, False


def _check_zip_size(label: str, size: int, limits: Limits) -> None:
    if size > limits.max_zip_bytes:
        raise PackageLimitError(
            label, "", f"archive of {size:,} bytes; at most {limits.max_zip_bytes:,} allowed"
        )


_ARCHIVE_SUFFIXES = (".zip", ".jar", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".7z", ".rar", ".zst")
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf", b"Rar!")


def _check_zip_directory(archive: zipfile.ZipFile, label: str, limits: Limits) -> list[zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > limits.max_zip_members:
        raise PackageLimitError(
            label, "", f"{len(infos):,} members; at most {limits.max_zip_members:,} allowed"
        )
    members: list[zipfile.ZipInfo] = []
    names: set[str] = set()
    total = 0
    for info in infos:
        member = info.filename
        _check_member_name(member, label)
        if member in names:
            raise CyberTiplineError(label, member, "the archive holds two members with this name")
        names.add(member)
        if info.is_dir() or member.startswith("__MACOSX/"):
            continue  # folders and macOS resource forks carry no document
        if member.lower().endswith(_ARCHIVE_SUFFIXES):
            raise CyberTiplineError(label, member, "nested archives are refused")
        if not member.lower().endswith(".xml"):
            raise CyberTiplineError(label, member, "not an XML document: a package holds only .xml members")
        if info.flag_bits & 0x1:
            raise CyberTiplineError(label, member, "encrypted members are refused")
        if info.file_size > limits.max_document_bytes:
            raise PackageLimitError(
                label,
                member,
                f"declares {info.file_size:,} bytes uncompressed; a document may have at most "
                f"{limits.max_document_bytes:,}",
            )
        if info.file_size > limits.compression_ratio_applies_above:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_compression_ratio:
                raise PackageLimitError(
                    label,
                    member,
                    f"compression ratio {ratio:,.0f}:1 exceeds {limits.max_compression_ratio:,.0f}:1",
                )
        total += info.file_size
        if total > limits.max_total_uncompressed_bytes:
            raise PackageLimitError(
                label,
                member,
                f"members total more than {limits.max_total_uncompressed_bytes:,} bytes uncompressed",
            )
        members.append(info)
    if len(members) > limits.max_documents:
        raise PackageLimitError(
            label, "", f"{len(members):,} documents; at most {limits.max_documents:,} allowed"
        )
    return members


def _check_member_name(member: str, label: str) -> None:
    parts = member.replace("\\", "/").split("/")
    if (
        not member
        or "\x00" in member
        or "\\" in member
        or member.startswith("/")
        or re.match(r"^[A-Za-z]:", member)
        or ".." in parts
    ):
        raise CyberTiplineError(label, member, "unsafe member name (absolute path, drive, backslash or '..')")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, limits: Limits) -> bytes:
    cap = min(info.file_size, limits.max_document_bytes)
    try:
        with archive.open(info) as handle:
            chunks: list[bytes] = []
            size = 0
            while chunk := handle.read(1 * MiB):
                size += len(chunk)
                if size > cap:  # the header lied about the size
                    raise PackageLimitError(
                        label, info.filename, "decompresses to more than its declared size"
                    )
                chunks.append(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        if isinstance(exc, CyberTiplineError):
            raise
        raise CyberTiplineError(label, info.filename, f"cannot be decompressed ({exc})") from None
    content = b"".join(chunks)
    if content.startswith(_ARCHIVE_MAGIC):
        raise CyberTiplineError(label, info.filename, "nested archives are refused")
    return content
