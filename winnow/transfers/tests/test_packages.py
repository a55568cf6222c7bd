"""Referral packages between installations: export, verify, import; tampered and hostile packages refused, naming
the member and the reason, with nothing written but the refusal's audit event."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from winnow.audit.models import AuditEvent
from winnow.core import referralpackage
from winnow.core.intake import IntakeError
from winnow.referrals.models import Referral
from winnow.transfers.models import PackageExport, PackageImport
from winnow.transfers.packages import PackageError, package_import, referral_export, trusted_keys

SENDER_KEY, SENDER_PUBLIC = referralpackage.new_key()


@pytest.fixture
def signing(settings: Any) -> None:
    settings.WINNOW_PACKAGE_KEY_ID = "northmoor-test"
    settings.WINNOW_PACKAGE_SIGNING_KEY = SENDER_KEY
    settings.WINNOW_PACKAGE_TRUSTED_KEYS = []


def _rewrite(data: bytes, change: dict[str, bytes | None], extra: dict[str, bytes] | None = None) -> bytes:
    """The package with members replaced (None: removed) and added, everything else byte for byte."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in change:
                if change[info.filename] is not None:
                    dst.writestr(info.filename, change[info.filename])  # type: ignore[arg-type]
            else:
                dst.writestr(info, src.read(info))
        for name, content in (extra or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def test_it_exports_every_raw_package_verbatim_with_its_hash(signing: None, referral: Any, supervisor: Any) -> None:
    data, export = referral_export(actor=supervisor, referral=referral)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        member = manifest["raw_packages"][0]["member"]
        assert archive.read(member) == bytes(referral.package.content)
    assert manifest["raw_packages"][0]["sha256"] == referral.package.sha256
    assert {f["name"]: f["sha256"] for f in manifest["files"]}[member] == referral.package.sha256
    assert manifest["referral"]["reference"] == referral.reference
    assert any(c["action"] == "referral.create" for c in manifest["custody"])
    event = AuditEvent.objects.get(action="referral.export")
    assert event.detail["package_sha256"] == export.sha256 and event.unit.code == "north"


def test_it_imports_into_another_unit_once(signing: None, referral: Any, supervisor: Any,
                                           outsider_supervisor: Any, units: dict[str, Any]) -> None:
    data, export = referral_export(actor=supervisor, referral=referral)
    result = package_import(actor=outsider_supervisor, unit=units["east"], data=data)
    new = result.record.referral
    assert result.created and new.unit == units["east"] and new.reference.startswith("EAST-")
    assert bytes(new.package.content) == data  # the package itself is the new referral's raw package
    assert new.subjects.get().identifiers.count() == 3
    assert result.record.origin_reference == referral.reference and result.record.key_id == "northmoor-test"
    event = AuditEvent.objects.get(action="referral.package_import")
    assert event.detail["package_sha256"] == export.sha256 and event.unit.code == "east"
    again = package_import(actor=outsider_supervisor, unit=units["east"], data=data)
    assert not again.created and Referral.objects.filter(unit=units["east"]).count() == 1
    call_command("verify-referrals")


def test_it_refuses_a_tampered_file_naming_it(signing: None, referral: Any, supervisor: Any,
                                              outsider_supervisor: Any, units: dict[str, Any]) -> None:
    data, _ = referral_export(actor=supervisor, referral=referral)
    member = next(n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.startswith("packages/"))
    tampered = _rewrite(data, {member: b'{"summary": "changed"}'})
    with pytest.raises(PackageError) as caught:
        package_import(actor=outsider_supervisor, unit=units["east"], data=tampered)
    assert caught.value.member == member and "SHA-256 differs" in caught.value.reason
    assert not PackageImport.objects.exists() and not Referral.objects.filter(unit=units["east"]).exists()
    refused = AuditEvent.objects.get(action="referral.package_refused")
    assert member in refused.detail["reason"]


@pytest.mark.parametrize("change, member, reason", [
    ({"manifest.json": b'{"format": "winnow-referral-package"}'}, "signature.json", "does not verify"),
    ({"signature.json": json.dumps({"algorithm": "ed25519", "key_id": "stranger", "signature": "AA=="}).encode()},
     "signature.json", "does not trust"),
    ({"signature.json": None}, "signature.json", "missing"),
])
def test_it_refuses_a_bad_signature(signing: None, referral: Any, supervisor: Any, outsider_supervisor: Any,
                                    units: dict[str, Any], change: dict[str, Any], member: str, reason: str) -> None:
    data, _ = referral_export(actor=supervisor, referral=referral)
    with pytest.raises(PackageError) as caught:
        package_import(actor=outsider_supervisor, unit=units["east"], data=_rewrite(data, change))
    assert caught.value.member == member and reason in caught.value.reason


def test_it_refuses_a_package_signed_by_an_untrusted_installation(signing: None, settings: Any, referral: Any,
                                                                  supervisor: Any, outsider_supervisor: Any,
                                                                  units: dict[str, Any]) -> None:
    data, _ = referral_export(actor=supervisor, referral=referral)
    other_key, _ = referralpackage.new_key()
    settings.WINNOW_PACKAGE_SIGNING_KEY = other_key  # this installation's own key changes: northmoor-test's is not it
    with pytest.raises(PackageError, match="does not verify"):
        package_import(actor=outsider_supervisor, unit=units["east"], data=data)


@pytest.mark.parametrize("name", ["../../etc/cron.d/x", "/abs/path", "packages\\..\\x", "C:/x", "a/./b"])
def test_it_refuses_an_unsafe_path(signing: None, referral: Any, supervisor: Any, name: str) -> None:
    data, _ = referral_export(actor=supervisor, referral=referral)
    with pytest.raises(PackageError, match="unsafe path"):
        referralpackage.read(_rewrite(data, {}, {name: b"x"}), trusted={"northmoor-test": SENDER_PUBLIC})


def test_it_refuses_a_member_not_in_the_manifest(signing: None, referral: Any, supervisor: Any) -> None:
    data, _ = referral_export(actor=supervisor, referral=referral)
    with pytest.raises(PackageError) as caught:
        referralpackage.read(_rewrite(data, {}, {"packages/999-extra": b"x"}),
                             trusted={"northmoor-test": SENDER_PUBLIC})
    assert caught.value.member == "packages/999-extra"


def test_it_stops_a_zip_bomb_at_the_limit(signing: None, referral: Any, supervisor: Any) -> None:
    data, _ = referral_export(actor=supervisor, referral=referral)
    bomb = _rewrite(data, {}, {"packages/999-bomb": b"\0" * 5_000_000})  # deflates to a few kilobytes
    assert len(bomb) < 100_000
    limits = referralpackage.Limits(max_member_bytes=1_000_000, max_total_bytes=2_000_000)
    with pytest.raises(PackageError, match="limit"):
        referralpackage.read(bomb, trusted={"northmoor-test": SENDER_PUBLIC}, limits=limits)


@pytest.mark.parametrize("data", [b"", b"not a zip at all", b"PK\x03\x04broken"])
def test_it_refuses_what_is_not_a_package(signing: None, outsider_supervisor: Any, units: dict[str, Any],
                                          data: bytes) -> None:
    with pytest.raises(PackageError) as caught:
        package_import(actor=outsider_supervisor, unit=units["east"], data=data)
    assert caught.value.member == "package"


def test_it_applies_the_intake_rules_to_a_signed_manifest(signing: None, outsider_supervisor: Any,
                                                          units: dict[str, Any]) -> None:
    """A trusted installation's package still passes the intake gate: a control character is refused by place."""
    manifest = {"referral": {"reference": "X-1", "source": "ncmec", "source_reference": "CT-1",
                             "received_at": "2026-11-01T10:00:00+00:00", "summary": "bad\x07bell",
                             "immediate_danger": False}, "subjects": []}
    data = referralpackage.write(manifest, {}, key_id="northmoor-test", private_key=SENDER_KEY)
    with pytest.raises(IntakeError):
        package_import(actor=outsider_supervisor, unit=units["east"], data=data)
    assert not Referral.objects.exists()


def test_it_needs_a_signing_key_to_export(settings: Any, referral: Any, supervisor: Any) -> None:
    settings.WINNOW_ENV = "production"  # only a development installation falls back to a derived key
    settings.WINNOW_PACKAGE_SIGNING_KEY = ""
    with pytest.raises(CommandError, match="WINNOW_PACKAGE_SIGNING_KEY"):
        call_command("export-referral", referral.reference, "--out", "/nonexistent/x.zip", "--user", "sara.supervisor")
    assert not PackageExport.objects.exists()


def test_a_development_installation_signs_with_a_key_derived_from_its_secret(
        settings: Any, referral: Any, tmp_path: Path) -> None:
    """`make demo` sets no package key: `winnow export-referral` still runs there, and the package imports back;
    a test or production installation with no key refuses (above)."""
    settings.WINNOW_ENV = "development"
    settings.WINNOW_PACKAGE_KEY_ID = settings.WINNOW_PACKAGE_SIGNING_KEY = ""
    package = tmp_path / "demo.zip"
    call_command("export-referral", referral.reference, "--out", str(package), stdout=io.StringIO())
    assert PackageExport.objects.get().key_id == "development"
    checked = referralpackage.read(package.read_bytes(), trusted=trusted_keys())
    assert checked.manifest["referral"]["reference"] == referral.reference
    settings.SECRET_KEY = "another-development-secret"  # another installation's development key is not trusted
    with pytest.raises(referralpackage.PackageError):
        referralpackage.read(package.read_bytes(), trusted=trusted_keys())


def test_it_refuses_export_by_the_wrong_people(signing: None, referral: Any, handler: Any, outsider_supervisor: Any,
                                                tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="needs transfer_referrals"):
        call_command("export-referral", referral.reference, "--out", str(tmp_path / "x.zip"), "--user", handler.username)
    with pytest.raises(CommandError, match="no referral"):
        call_command("export-referral", referral.reference, "--out", str(tmp_path / "x.zip"),
                     "--user", outsider_supervisor.username)
    assert not (tmp_path / "x.zip").exists()


def test_the_operator_exports_as_the_issue_writes_it(signing: None, referral: Any, tmp_path: Path) -> None:
    """`winnow export-referral REFERENCE --out FILE`: the server's operator, recorded as such in the record, the
    audit event and the package's manifest."""
    package = tmp_path / "referral.winnow.zip"
    call_command("export-referral", referral.reference, "--out", str(package), stdout=io.StringIO())
    export = PackageExport.objects.get()
    assert export.exported_by is None and export.sha256 == hashlib.sha256(package.read_bytes()).hexdigest()
    manifest = json.loads(zipfile.ZipFile(package).read("manifest.json"))
    assert manifest["exported_by"].startswith("operator (")
    event = AuditEvent.objects.get(action="referral.export")
    assert event.actor_username == "system" and event.detail["operator"]
    with pytest.raises(CommandError, match="no referral 'NOPE-1'"):
        call_command("export-referral", "NOPE-1", "--out", str(tmp_path / "y.zip"))


# ---------------------------------------------------------------------------------------------- a second database


SECOND = """
import os
from django.core.management import call_command
from django.core.management.base import CommandError
from winnow.accounts.models import Membership, Unit, User
from winnow.transfers.models import PackageImport
unit = Unit.objects.create(code="west", name="Westshire Test Unit")
user = User.objects.create_user(username="wes.west", password="correct-horse-battery-staple")
Membership.objects.create(user=user, unit=unit, role="supervisor")
try:
    call_command("import-referral-package", os.environ["TAMPERED"], "--unit", "west", "--user", "wes.west")
except CommandError as exc:
    print("REFUSED", exc)
call_command("import-referral-package", os.environ["PACKAGE"], "--unit", "west", "--user", "wes.west")
record = PackageImport.objects.get()
print("RESULT", record.referral.reference, record.referral.unit.code, record.origin_reference, record.sha256)
call_command("audit-verify")
call_command("verify-referrals")
"""


def test_it_imports_into_a_second_installation(signing: None, referral: Any, supervisor: Any,
                                                tmp_path: Path) -> None:
    """The other side is a real second installation: its own SQLite file, migrated from nothing, its own settings
    (it trusts the sender's public key and has no key of its own), in a subprocess running `winnow`."""
    package = tmp_path / "referral.winnow.zip"
    call_command("export-referral", referral.reference, "--out", str(package), "--user", supervisor.username)
    export = PackageExport.objects.get()
    tampered = tmp_path / "tampered.zip"
    member = next(n for n in zipfile.ZipFile(package).namelist() if n.startswith("packages/"))
    tampered.write_bytes(_rewrite(package.read_bytes(), {member: b"changed"}))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'second.sqlite3'}", "WINNOW_ENV": "test",
           "WINNOW_DATA_DIR": str(tmp_path / "second"), "WINNOW_PACKAGE_KEY_ID": "", "WINNOW_PACKAGE_SIGNING_KEY": "",
           "WINNOW_PACKAGE_TRUSTED_KEYS": f"northmoor-test={SENDER_PUBLIC}",
           "TAMPERED": str(tampered), "PACKAGE": str(package)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    winnow = [sys.executable, "-m", "winnow"]
    migrated = subprocess.run([*winnow, "migrate", "--no-input"], env=env, capture_output=True,  # noqa: S603 (fixed argv)
                              text=True, timeout=900, check=False)
    assert migrated.returncode == 0, migrated.stderr
    run = subprocess.run([*winnow, "shell", "-c", SECOND], env=env, capture_output=True,  # noqa: S603 (fixed argv)
                         text=True, timeout=900, check=False)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert f"REFUSED {tampered}: {member}: its SHA-256 differs" in out
    assert "verified (signed with 'northmoor-test')" in out
    _, reference, unit, origin, sha256 = next(line for line in out.splitlines() if line.startswith("RESULT")).split()
    assert reference.startswith("WEST-") and unit == "west" and origin == referral.reference
    assert sha256 == export.sha256  # the two installations' audits name the same package
    assert "audit trail intact" in out and "referral state consistent" in out
