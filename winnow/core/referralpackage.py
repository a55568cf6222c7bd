"""Referral packages between installations: write one, and read one that may be hostile.

A package is a zip of three kinds of member:

- `manifest.json`: what the referral is (facts, subjects, history, chain of custody) and, for every other member,
  its name, size and SHA-256;
- `packages/<n>-<name>`: every raw package the referral arrived in, byte for byte as received;
- `signature.json`: an Ed25519 signature (the `cryptography` package) of the exact bytes of `manifest.json`, with
  the id of the key that made it.

The signature covers the manifest and the manifest covers every file, so one check of each proves the package is
what the sending installation wrote. Reading refuses, naming the member and the reason, before anything is
trusted: a file that is not a zip; too many members, or a member too large (declared or actual, so a zip bomb
stops at the limit); a path that is absolute, climbs out (`..`), uses a backslash or a drive, or appears twice; an
encrypted member; a member the manifest does not list, or a listed one missing; a bad or unknown signature; a file
whose SHA-256 or size differs from the manifest.

Pure Python: no Django, no Winnow app (the Django side is winnow.transfers.packages).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

FORMAT = "winnow-referral-package"
VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "signature.json"
ALGORITHM = "ed25519"


class PackageError(Exception):
    """A package refused: `member` names the file (or "package"), `reason` says why."""

    def __init__(self, member: str, reason: str) -> None:
        self.member, self.reason = member, reason
        super().__init__(f"{member}: {reason}")


@dataclass(frozen=True)
class Limits:
    max_members: int = 1000
    max_member_bytes: int = 64 * 1024 * 1024
    max_total_bytes: int = 512 * 1024 * 1024
    max_manifest_bytes: int = 8 * 1024 * 1024


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Package:
    manifest: dict[str, Any]
    manifest_sha256: str
    files: dict[str, bytes]  # member name -> bytes, each checked against the manifest
    key_id: str


# ------------------------------------------------------------------------------------------------ keys


def new_key() -> tuple[str, str]:
    """A new key pair as (private, public), each the base64 of its 32 raw bytes."""
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.b64encode(raw).decode(), public_of(base64.b64encode(raw).decode())


def _key_bytes(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{what} is not base64") from None
    if len(raw) != 32:
        raise ValueError(f"{what} must be 32 bytes (base64 of a raw Ed25519 key), not {len(raw)}")
    return raw


def public_of(private_b64: str) -> str:
    private = Ed25519PrivateKey.from_private_bytes(_key_bytes(private_b64, "the signing key"))
    return base64.b64encode(private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def parse_trusted(pairs: list[str]) -> dict[str, str]:
    """"key-id=base64" pairs -> {key id: public key}; ValueError names a malformed pair."""
    out: dict[str, str] = {}
    for pair in pairs:
        key_id, sep, public = pair.partition("=")
        if not sep or not key_id.strip():
            raise ValueError(f"{pair[:40]!r} is not key-id=base64-public-key")
        _key_bytes(public, f"the public key of {key_id.strip()!r}")
        out[key_id.strip()] = public.strip()
    return out


# ------------------------------------------------------------------------------------------------ writing


def member_name(index: int, filename: str) -> str:
    """A safe member name for a raw package: its position and a filename stripped to plain characters."""
    stem = "".join(c if c.isalnum() or c in "._-" else "_" for c in PurePosixPath(filename or "package").name)
    return f"packages/{index:03d}-{stem.strip('.') or 'package'}"


def write(manifest: Mapping[str, Any], files: Mapping[str, bytes], *, key_id: str, private_key: str) -> bytes:
    """The package's bytes. `manifest` gets `files` (name, size, SHA-256 of each) added; it is signed as written."""
    body = dict(manifest)
    body["format"], body["version"] = FORMAT, VERSION
    body["files"] = [{"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                     for name, data in files.items()]
    manifest_bytes = json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False).encode()
    private = Ed25519PrivateKey.from_private_bytes(_key_bytes(private_key, "the signing key"))
    signature = {"algorithm": ALGORITHM, "key_id": key_id,
                 "signature": base64.b64encode(private.sign(manifest_bytes)).decode()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, manifest_bytes)
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr(SIGNATURE, json.dumps(signature, indent=2).encode())
    return out.getvalue()


# ------------------------------------------------------------------------------------------------ reading


def _safe_name(name: str) -> None:
    path = PurePosixPath(name)
    if (not name or "\\" in name or name.startswith("/") or ":" in name or ".." in path.parts
            or any(ord(c) < 32 for c in name) or name != str(path)):
        raise PackageError(name[:80] or "(empty name)", "unsafe path in the package (absolute, climbing out with "
                           "'..', a backslash, a drive or a control character): refused")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    if info.flag_bits & 0x1:
        raise PackageError(info.filename, "encrypted members are refused")
    if info.file_size > limit:
        raise PackageError(info.filename, f"{info.file_size} bytes uncompressed, more than the limit of {limit}")
    try:
        with archive.open(info) as stream:
            data = stream.read(limit + 1)  # a header that lies about the size stops here
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise PackageError(info.filename, f"cannot be read: {str(exc)[:80]}") from None
    if len(data) > limit:
        raise PackageError(info.filename, f"more than the limit of {limit} bytes uncompressed")
    return data


def _json(member: str, data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PackageError(member, f"not valid UTF-8 JSON: {str(exc)[:80]}") from None
    if not isinstance(value, dict):
        raise PackageError(member, "must be a JSON object")
    return value


def _verify(manifest_bytes: bytes, signature: dict[str, Any], trusted: Mapping[str, str]) -> str:
    key_id = signature.get("key_id")
    if signature.get("algorithm") != ALGORITHM or not isinstance(key_id, str):
        raise PackageError(SIGNATURE, f"needs algorithm {ALGORITHM!r} and a key_id")
    if key_id not in trusted:
        raise PackageError(SIGNATURE, f"signed with key {key_id[:40]!r}, which this installation does not trust "
                           "(WINNOW_PACKAGE_TRUSTED_KEYS)")
    try:
        raw = base64.b64decode(str(signature.get("signature", "")), validate=True)
        Ed25519PublicKey.from_public_bytes(_key_bytes(trusted[key_id], key_id)).verify(raw, manifest_bytes)
    except (InvalidSignature, binascii.Error, ValueError):
        raise PackageError(SIGNATURE, f"the signature does not verify with key {key_id[:40]!r}: the manifest was "
                           "changed or signed by someone else") from None
    return key_id


def _listed(manifest: dict[str, Any]) -> dict[str, tuple[int, str]]:
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise PackageError(MANIFEST, f"not a {FORMAT} version {VERSION} manifest")
    files = manifest.get("files")
    if not isinstance(files, list):
        raise PackageError(MANIFEST, "'files' must be a list")
    out: dict[str, tuple[int, str]] = {}
    for entry in files:
        if not (isinstance(entry, dict) and isinstance(entry.get("name"), str)
                and isinstance(entry.get("size"), int) and isinstance(entry.get("sha256"), str)):
            raise PackageError(MANIFEST, "every entry of 'files' needs a name, a size and a sha256")
        _safe_name(entry["name"])
        if entry["name"] in out or entry["name"] in (MANIFEST, SIGNATURE):
            raise PackageError(entry["name"], "listed twice in the manifest")
        out[entry["name"]] = (entry["size"], entry["sha256"].lower())
    return out


def read(data: bytes, *, trusted: Mapping[str, str], limits: Limits = DEFAULT_LIMITS) -> Package:
    """Check a package and return its manifest and files, or raise PackageError naming the member and why."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise PackageError("package", "not a zip file") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_members:
            raise PackageError("package", f"{len(infos)} members, more than the limit of {limits.max_members}")
        names: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            _safe_name(info.filename)
            if info.filename in names:
                raise PackageError(info.filename, "appears twice in the package")
            names[info.filename] = info
        for required in (MANIFEST, SIGNATURE):
            if required not in names:
                raise PackageError(required, "missing: this is not a referral package")
        if sum(i.file_size for i in infos) > limits.max_total_bytes:
            raise PackageError("package", f"more than the limit of {limits.max_total_bytes} bytes uncompressed")
        manifest_bytes = _read_member(archive, names[MANIFEST], limits.max_manifest_bytes)
        signature = _json(SIGNATURE, _read_member(archive, names[SIGNATURE], 64 * 1024))
        key_id = _verify(manifest_bytes, signature, trusted)  # nothing in the manifest is trusted before this
        manifest = _json(MANIFEST, manifest_bytes)
        listed = _listed(manifest)
        extra = sorted(set(names) - set(listed) - {MANIFEST, SIGNATURE})
        if extra:
            raise PackageError(extra[0], "in the package but not in the manifest")
        files: dict[str, bytes] = {}
        for name, (size, sha256) in listed.items():
            if name not in names:
                raise PackageError(name, "listed in the manifest but missing from the package")
            content = _read_member(archive, names[name], limits.max_member_bytes)
            if hashlib.sha256(content).hexdigest() != sha256 or len(content) != size:
                raise PackageError(name, f"its SHA-256 differs from the manifest's ({sha256[:12]}…): the file was "
                                   "changed after the package was signed")
            files[name] = content
    return Package(manifest=manifest, manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(), files=files,
                   key_id=key_id)
