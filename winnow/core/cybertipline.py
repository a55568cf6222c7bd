"""NCMEC CyberTipline packages: one `<report>` document and zero or more `<fileDetails>` documents, as separate
files or one zip, read into frozen dataclasses.

Element names follow the ESP reporting schema (formats reference §1, NCMEC CyberTipline). Every input is hostile until parsed:

- XML goes through defusedxml with DTDs, entity declarations and external references forbidden (billion laughs,
  quadratic blow-up, XXE and external DTDs all stop at the DOCTYPE, before any expansion);
- every document is size-checked *before* it is read or parsed, and parsing stops at the first element past the
  depth or element-count limit (`Limits`);
- a zip is checked as a whole from its directory before anything is decompressed (member count, declared sizes,
  compression ratio, unsafe or duplicate names, nested archives, encryption), then each member is read with a cap
  in case its header lied.

Tolerant of element order, strict about types: a bad dateTime, an unknown incidentType or eventName, a boolean
that is not true/false/1/0, an unknown element, a repeated single element, a fileDetails whose reportId does not
match, XML that is not well-formed or a wrong root element all raise `CyberTiplineError(document, element_path,
reason)`. Descriptive labels the schema leaves open in practice (email/phone/address/account `type`, `idType`,
`hashType`, country codes) are kept as given.

Each document's original bytes and SHA-256 are kept (`Document`) so they can be stored verbatim. Identifiers are
exposed already normalised by `winnow.core.identifiers`, raw value alongside: `Person.identifiers()`.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from functools import partial
from typing import IO, TypeVar

from defusedxml import (  # type: ignore[import-untyped,unused-ignore]
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml.ElementTree import (  # type: ignore[import-untyped,unused-ignore]
    DefusedXMLParser,
    ParseError,
)

from winnow.core.identifiers import (
    IdentifierError,
    IdentifierKind,
    normalise_account_id,
    normalise_device,
    normalise_email,
    normalise_ip,
    normalise_phone,
    normalise_username,
)

# ------------------------------------------------------------------------------------------------ errors, limits


class CyberTiplineError(ValueError):
    """A package or document Winnow will not import: which document, which element, and why."""

    def __init__(self, document: str, element_path: str, reason: str) -> None:
        self.document = document
        self.element_path = element_path
        self.reason = reason
        where = f"{document}: {element_path}" if element_path else document
        super().__init__(f"{where}: {reason}")


class PackageLimitError(CyberTiplineError):
    """Refused by a size, depth, count or archive limit (possibly an attack, possibly just too big)."""


class HostileXmlError(CyberTiplineError):
    """The document uses a DTD, entity declarations or external references, which CyberTipline XML never needs."""


MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what one package may make Winnow do. Defaults are generous for real reports (the largest seen
    carry thousands of IP capture events and a few MB of chat text) and small enough to keep a worker alive."""

    max_document_bytes: int = 50 * MiB
    max_depth: int = 64  # the schema nests about 6 deep
    max_elements: int = 200_000  # per document
    max_documents: int = 10_001  # one report and up to 10,000 fileDetails
    max_zip_bytes: int = 256 * MiB  # the archive file itself
    max_zip_members: int = 10_001
    max_total_uncompressed_bytes: int = 256 * MiB
    max_compression_ratio: float = 100.0  # XML compresses ~5-20x; a bomb 1000x or more
    compression_ratio_applies_above: int = 1 * MiB  # small members may compress well and are harmless


DEFAULT_LIMITS = Limits()

# ---------------------------------------------------------------------------------------------------- vocabulary


class IncidentType(StrEnum):
    CHILD_PORNOGRAPHY = "Child Pornography (possession, manufacture, and distribution)"
    CHILD_SEX_TRAFFICKING = "Child Sex Trafficking"
    CHILD_SEX_TOURISM = "Child Sex Tourism"
    CHILD_SEXUAL_MOLESTATION = "Child Sexual Molestation"
    MISLEADING_DOMAIN_NAME = "Misleading Domain Name"
    MISLEADING_WORDS_OR_IMAGES = "Misleading Words or Digital Images on the Internet"
    ONLINE_ENTICEMENT = "Online Enticement of Children for Sexual Acts"
    UNSOLICITED_OBSCENE_MATERIAL = "Unsolicited Obscene Material Sent to a Child"


class CaptureEvent(StrEnum):
    """`eventName` of an IP or device id capture."""

    LOGIN = "Login"
    REGISTRATION = "Registration"
    PURCHASE = "Purchase"
    UPLOAD = "Upload"
    OTHER = "Other"
    UNKNOWN = "Unknown"


class FileRelevance(StrEnum):
    REPORTED = "Reported"
    SUPPLEMENTAL_REPORTED = "Supplemental Reported"


class IndustryClassification(StrEnum):
    """Industry hash-sharing scale: A = prepubescent, B = pubescent; 1 = sex act, 2 = lascivious exhibition."""

    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"


class IncidentKind(StrEnum):
    """Which `internetDetails` subtype an incident detail is (the element name)."""

    WEB_PAGE = "webPageIncident"
    EMAIL = "emailIncident"
    NEWSGROUP = "newsgroupIncident"
    CHAT_IM = "chatImIncident"
    ONLINE_GAMING = "onlineGamingIncident"
    CELL_PHONE = "cellPhoneIncident"
    NON_INTERNET = "nonInternetIncident"
    PEER_TO_PEER = "peer2peerIncident"


class PersonRole(StrEnum):
    REPORTED = "reported"  # personOrUserReported
    INTENDED_RECIPIENT = "intended_recipient"
    VICTIM = "victim"


# ------------------------------------------------------------------------------------------------ the dataclasses


@dataclass(frozen=True, slots=True)
class Document:
    """One XML document of a package, byte for byte as received."""

    name: str
    root: str  # "report" or "fileDetails"
    content: bytes = field(repr=False)
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True, slots=True)
class Email:
    address: str  # as written
    type: str | None = None  # Home, Work, Business, Recovery
    verified: bool | None = None
    verification_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class Phone:
    number: str  # as written
    type: str | None = None  # Mobile, Home, Business, Work, Fax, Internet, Recovery
    verified: bool | None = None
    verification_date: datetime | None = None
    country_calling_code: str | None = None
    extension: str | None = None


@dataclass(frozen=True, slots=True)
class Address:
    street: str | None = None  # the schema's <address><address>
    city: str | None = None
    zip_code: str | None = None
    state: str | None = None
    non_usa_state: str | None = None
    country: str | None = None
    type: str | None = None


@dataclass(frozen=True, slots=True)
class PersonDetails:
    """The schema's `Person` (and `ContactPerson`, which lacks age and date of birth)."""

    first_name: str | None = None
    last_name: str | None = None
    phones: tuple[Phone, ...] = ()
    emails: tuple[Email, ...] = ()
    addresses: tuple[Address, ...] = ()
    age: int | None = None
    date_of_birth: date | None = None


@dataclass(frozen=True, slots=True)
class IpCaptureEvent:
    ip_address: str  # as written; normalised in identifiers()
    event_name: CaptureEvent | None = None
    date_time: datetime | None = None
    possible_proxy: bool | None = None
    port: int | None = None


@dataclass(frozen=True, slots=True)
class DeviceId:
    id_type: str | None  # IMEI, ICCID, ... as written
    id_value: str
    event_name: CaptureEvent | None = None
    date_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class EstimatedLocation:
    city: str | None = None
    region: str | None = None
    country_code: str | None = None
    verified: bool | None = None
    timestamp: datetime | None = None


@dataclass(frozen=True, slots=True)
class AccountDisabled:
    """`accountTemporarilyDisabled` / `accountPermanentlyDisabled`: the flag and its dates."""

    disabled: bool
    disabled_date: datetime | None = None
    user_notified: bool | None = None
    user_notified_date: datetime | None = None
    reenabled_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class PersonIdentifier:
    """One identifier of a person, ready for an Identifier row: kind, raw value, normalised value (None, with the
    reason in `problem`, when it cannot be normalised: it is still evidence and is kept), platform (usernames and
    account ids), when it was observed, and the element it came from."""

    kind: IdentifierKind
    raw: str
    normalised: str | None
    platform: str
    observed_at: datetime | None
    source: str
    event: CaptureEvent | None = None
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class AssociatedAccount:
    type: str | None = None  # Billing, Linked, Business, Creator, Parent/Guardian, Other, ... as written
    platform: str | None = None
    platform_third_party_user: bool | None = None
    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    approximate_age: int | None = None
    date_of_birth: date | None = None
    phones: tuple[Phone, ...] = ()
    emails: tuple[Email, ...] = ()
    all_emails_reported: bool | None = None
    addresses: tuple[Address, ...] = ()
    esp_service: str | None = None
    esp_identifier: str | None = None
    profile_urls: tuple[str, ...] = ()
    screen_name: str | None = None
    display_names: tuple[str, ...] = ()
    profile_bio: str | None = None
    group_identifier: str | None = None
    compromised_account: bool | None = None
    account_temporarily_disabled: AccountDisabled | None = None
    account_permanently_disabled: AccountDisabled | None = None
    ip_capture_events: tuple[IpCaptureEvent, ...] = ()
    device_ids: tuple[DeviceId, ...] = ()
    prior_ct_reports: tuple[int, ...] = ()
    additional_info: str | None = None
    source: str = ""

    @property
    def account_platform(self) -> str:
        return self.platform or self.esp_service or ""


@dataclass(frozen=True, slots=True)
class Person:
    """A person in the report with a role: the reported person or user, an intended recipient, or a victim. Each is
    its own subject. `platform` is the service their account ids and screen name belong to (`espService`, else the
    report's platform)."""

    role: PersonRole
    source: str  # element path, e.g. /report/intendedRecipient[2]
    platform: str = ""
    details: PersonDetails | None = None
    vehicle_description: str | None = None
    esp_identifier: str | None = None
    esp_service: str | None = None
    compromised_account: bool | None = None
    screen_name: str | None = None
    display_names: tuple[str, ...] = ()
    profile_urls: tuple[str, ...] = ()
    profile_bio: str | None = None
    ip_capture_events: tuple[IpCaptureEvent, ...] = ()
    device_ids: tuple[DeviceId, ...] = ()
    third_party_user_reported: bool | None = None
    prior_ct_reports: tuple[int, ...] = ()
    group_identifier: str | None = None
    account_temporarily_disabled: AccountDisabled | None = None
    account_permanently_disabled: AccountDisabled | None = None
    estimated_location: EstimatedLocation | None = None
    all_emails_reported: bool | None = None
    associated_accounts: tuple[AssociatedAccount, ...] = ()
    school_name: str | None = None  # victims only
    additional_info: tuple[str, ...] = ()

    @property
    def first_name(self) -> str | None:
        return self.details.first_name if self.details else None

    @property
    def last_name(self) -> str | None:
        return self.details.last_name if self.details else None

    @property
    def date_of_birth(self) -> date | None:
        return self.details.date_of_birth if self.details else None

    def identifiers(self, *, default_region: str = "GB") -> list[PersonIdentifier]:
        """Every identifier of this person, normalised: emails, phones, ESP account id (`platform:#id`), screen
        name, IP capture events (with their time and event) and device ids, then the same for each associated
        account (on that account's platform). Display names and profile URLs are not identifiers (names go to
        person linkage); prior CyberTipline report ids are in `prior_ct_reports`."""
        found: list[PersonIdentifier] = []
        base = self.source
        details_path = base + "/" + _DETAILS_TAG[self.role]
        _collect_contact(found, self.details.emails if self.details else (), (), details_path, default_region)
        _collect_contact(found, (), self.details.phones if self.details else (), details_path, default_region)
        _collect_account(
            found,
            platform=self.platform,
            esp_identifier=self.esp_identifier,
            screen_name=self.screen_name,
            ips=self.ip_capture_events,
            devices=self.device_ids,
            path=base,
        )
        for account in self.associated_accounts:
            _collect_contact(found, account.emails, account.phones, account.source, default_region)
            _collect_account(
                found,
                platform=account.account_platform,
                esp_identifier=account.esp_identifier,
                screen_name=account.screen_name,
                ips=account.ip_capture_events,
                devices=account.device_ids,
                path=account.source,
            )
        unique: dict[tuple[object, ...], PersonIdentifier] = {}
        for ident in found:
            unique.setdefault((ident.kind, ident.raw, ident.platform, ident.observed_at, ident.event), ident)
        return list(unique.values())


@dataclass(frozen=True, slots=True)
class ReportAnnotations:
    """ESP tags on the report; None = not said (unknown is not no)."""

    sextortion: bool | None = None
    csam_solicitation: bool | None = None
    minor_to_minor_interaction: bool | None = None
    spam: bool | None = None
    sadistic_online_exploitation: bool | None = None


@dataclass(frozen=True, slots=True)
class InternetDetail:
    """One `internetDetails` entry; `kind` says which subtype, and only that subtype's fields are set."""

    kind: IncidentKind
    urls: tuple[str, ...] = ()
    email_addresses: tuple[Email, ...] = ()
    newsgroup_name: str | None = None
    content: str | None = None
    chat_client: str | None = None
    chat_room_name: str | None = None
    game_name: str | None = None
    console: str | None = None
    phone_number: Phone | None = None
    latitude: float | None = None
    longitude: float | None = None
    location_name: str | None = None
    incident_addresses: tuple[Address, ...] = ()
    client: str | None = None
    ip_capture_events: tuple[IpCaptureEvent, ...] = ()
    file_names: str | None = None
    additional_info: str | None = None


@dataclass(frozen=True, slots=True)
class LawEnforcement:
    agency_name: str | None = None
    case_number: str | None = None
    officer_contact: PersonDetails | None = None
    reported_to_le: bool | None = None
    served_legal_process_domestic: bool | None = None
    served_legal_process_international: bool | None = None
    flea_country: str | None = None  # the country that served international legal process


@dataclass(frozen=True, slots=True)
class Reporter:
    reporting_person: PersonDetails | None = None
    contact_person: PersonDetails | None = None
    company_template: str | None = None
    terms_of_service: str | None = None
    legal_url: str | None = None


@dataclass(frozen=True, slots=True)
class Report:
    document: Document
    incident_type: IncidentType | None = None
    platform: str | None = None
    escalate_to_high_priority: str | None = None  # the reporter's reason, verbatim
    immediate_danger: bool = False  # the reporter escalated: a child may be at immediate risk
    annotations: ReportAnnotations | None = None
    incident_time: datetime | None = None  # UTC
    incident_time_description: str | None = None
    batched_reason: str | None = None  # batchedReport/@reason, e.g. VIRAL_POTENTIAL_MEME
    internet_details: tuple[InternetDetail, ...] = ()
    law_enforcement: LawEnforcement | None = None
    reporter: Reporter | None = None
    reported_person: Person | None = None
    intended_recipients: tuple[Person, ...] = ()
    victims: tuple[Person, ...] = ()
    additional_info: str | None = None

    @property
    def is_batched(self) -> bool:
        return self.batched_reason is not None

    @property
    def people(self) -> tuple[Person, ...]:
        """Every person with a role, reported person first."""
        head = (self.reported_person,) if self.reported_person else ()
        return head + self.intended_recipients + self.victims


@dataclass(frozen=True, slots=True)
class FileHash:
    hash_type: str  # upper case without hyphens: MD5, SHA1, SHA256, or as written for others (e.g. PHOTODNA)
    value: str  # lower-case hex for hex hash types, as written otherwise


@dataclass(frozen=True, slots=True)
class FileAnnotations:
    anime_drawing_virtual_hentai: bool | None = None
    potential_meme: bool | None = None
    viral: bool | None = None
    possible_self_production: bool | None = None
    physical_harm: bool | None = None
    violence_gore: bool | None = None
    bestiality: bool | None = None
    live_streaming: bool | None = None
    infant: bool | None = None
    generative_ai: bool | None = None


@dataclass(frozen=True, slots=True)
class FileDetails:
    document: Document
    report_id: int | None = None
    file_id: str | None = None
    file_name: str | None = None
    original_file_name: str | None = None
    uploaded_to_esp_timestamp: datetime | None = None
    location_of_file: str | None = None
    file_viewed_by_esp: bool | None = None
    exif_viewed_by_esp: bool | None = None
    publicly_available: bool | None = None
    file_relevance: FileRelevance | None = None
    potential_meme: bool | None = None
    annotations: FileAnnotations | None = None
    industry_classification: IndustryClassification | None = None
    hashes: tuple[FileHash, ...] = ()
    ip_capture_events: tuple[IpCaptureEvent, ...] = ()
    device_ids: tuple[DeviceId, ...] = ()
    details: tuple[tuple[str | None, str | None], ...] = ()  # details/nameValuePair (name, value)
    additional_info: tuple[str, ...] = ()

    def hash(self, hash_type: str) -> str | None:
        wanted = _hash_type(hash_type)
        return next((h.value for h in self.hashes if h.hash_type == wanted), None)

    def identifiers(self) -> list[PersonIdentifier]:
        """The upload IPs and devices of this file (normally the reported person's; attribution is the caller's)."""
        found: list[PersonIdentifier] = []
        _collect_account(
            found,
            platform="",
            esp_identifier=None,
            screen_name=None,
            ips=self.ip_capture_events,
            devices=self.device_ids,
            path="/fileDetails",
        )
        return found


@dataclass(frozen=True, slots=True)
class Package:
    report: Report
    files: tuple[FileDetails, ...] = ()
    report_id: int | None = None  # as given by the caller or agreed by every fileDetails/reportId

    @property
    def documents(self) -> tuple[Document, ...]:
        return (self.report.document, *(f.document for f in self.files))


# ------------------------------------------------------------------------------------------- reading the sources


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
    label, handle, owned = _open_zip_source(source, limits, name)
    try:
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
            raise CyberTiplineError(label, "", f"not a readable zip archive ({exc})") from None
        with archive:  # closes only what ZipFile opened itself, never a caller's file
            members = _check_zip_directory(archive, label, limits)
            documents = [(info.filename, _read_member(archive, info, label, limits)) for info in members]
    finally:
        if owned:
            handle.close()
    return parse_package(documents, report_id=report_id, limits=limits)


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
            return label, open(source, "rb"), True  # noqa: SIM115 - closed by read_zip
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


# ------------------------------------------------------------------------------------------ hardened tree building


class _Node:
    __slots__ = ("tag", "path", "attrs", "children", "parts", "counts")

    def __init__(self, tag: str, path: str, attrs: dict[str, str] | None) -> None:
        self.tag = tag
        self.path = path
        self.attrs = attrs
        self.children: list[_Node] = []
        self.parts: list[str] = []
        self.counts: dict[str, int] | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)


class _Refused(Exception):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = reason


class _TreeBuilder:
    """Target for the defused expat parser: builds a light tree and stops at the first limit crossed."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.stack: list[_Node] = []
        self.root: _Node | None = None
        self.elements = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        local = _local(tag)
        parent = self.stack[-1] if self.stack else None
        if parent is None:
            path = "/" + local
        else:
            if parent.counts is None:
                parent.counts = {}
            n = parent.counts[local] = parent.counts.get(local, 0) + 1
            path = f"{parent.path}/{local}" + (f"[{n}]" if n > 1 else "")
        if len(self.stack) >= self.limits.max_depth:
            raise _Refused(path, f"elements nested more than {self.limits.max_depth} deep")
        self.elements += 1
        if self.elements > self.limits.max_elements:
            raise _Refused(path, f"more than {self.limits.max_elements:,} elements")
        attrs = {_local(k): v for k, v in attrib.items() if not k.startswith("{")} or None
        node = _Node(local, path, attrs)
        if parent is None:
            self.root = node
        else:
            parent.children.append(node)
        self.stack.append(node)

    def end(self, tag: str) -> None:
        node = self.stack.pop()
        if len(node.parts) > 1:  # one string instead of many pieces: halves the peak for long texts
            node.parts = ["".join(node.parts)]

    def data(self, data: str) -> None:
        if self.stack:
            self.stack[-1].parts.append(data)

    def close(self) -> _Node | None:
        return self.root


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


_FEED = 256 * 1024


def _build_tree(name: str, content: bytes, limits: Limits) -> _Node:
    builder = _TreeBuilder(limits)
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        for offset in range(0, len(content), _FEED):
            parser.feed(content[offset : offset + _FEED])
        parser.close()
    except _Refused as exc:
        raise PackageLimitError(name, exc.path, exc.reason) from None
    except DTDForbidden:
        raise HostileXmlError(
            name, "", "a DTD (<!DOCTYPE>) is not allowed: CyberTipline XML never needs one"
        ) from None
    except EntitiesForbidden as exc:
        raise HostileXmlError(name, "", f"entity declaration {exc.name!r} is not allowed") from None
    except ExternalReferenceForbidden as exc:
        raise HostileXmlError(name, "", f"external reference {exc.sysid!r} is not allowed") from None
    except DefusedXmlException as exc:
        raise HostileXmlError(name, "", f"forbidden XML construct ({exc})") from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise CyberTiplineError(
            name, f"line {line}, column {column}", f"not well-formed XML ({exc})"
        ) from None
    except (ValueError, LookupError, RecursionError) as exc:  # e.g. an unknown declared encoding
        raise CyberTiplineError(name, "", f"not readable XML ({exc})") from None
    if builder.root is None:
        raise CyberTiplineError(name, "", "not well-formed XML (no root element)")
    return builder.root


# ------------------------------------------------------------------------------------------- typed value readers

_E = TypeVar("_E", bound=StrEnum)
_T = TypeVar("_T")

_DATETIME = re.compile(
    r"^(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})T(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})(?P<f>\.\d+)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})$"
)
_DATE = re.compile(r"^(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})$")
_INTEGER = re.compile(r"^[+-]?\d{1,19}$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_HEX_LENGTHS: Mapping[str, int] = {"MD5": 32, "SHA1": 40, "SHA256": 64, "SHA384": 96, "SHA512": 128}


def _hash_type(value: str) -> str:
    return value.strip().upper().replace("-", "").replace("_", "")


class _Reader:
    """Turns the tree of one document into dataclasses; every error names this document and the element."""

    def __init__(self, document: str) -> None:
        self.document = document

    def fail(self, path: str, reason: str) -> CyberTiplineError:
        return CyberTiplineError(self.document, path, reason)

    # --- structure

    def children(self, node: _Node, spec: Mapping[str, bool]) -> dict[str, list[_Node]]:
        """Group children by name. `spec` maps each allowed child to whether it may repeat; order is free."""
        if node.text.strip():
            raise self.fail(node.path, "has text where only child elements are expected")
        grouped: dict[str, list[_Node]] = {}
        for child in node.children:
            if child.tag not in spec:
                raise self.fail(child.path, f"unknown element <{child.tag}> in <{node.tag}>")
            group = grouped.setdefault(child.tag, [])
            if group and not spec[child.tag]:
                raise self.fail(child.path, f"<{child.tag}> may appear only once in <{node.tag}>")
            group.append(child)
        return grouped

    def attributes(self, node: _Node, allowed: Iterable[str]) -> dict[str, str]:
        attrs = node.attrs or {}
        allowed_set = set(allowed)
        for key in attrs:
            if key not in allowed_set:
                raise self.fail(f"{node.path}/@{key}", f"unknown attribute {key!r} on <{node.tag}>")
        return attrs

    def text(self, node: _Node) -> str:
        if node.children:
            raise self.fail(node.children[0].path, f"<{node.tag}> holds text, not child elements")
        return node.text.strip()

    def one(self, kids: Mapping[str, list[_Node]], tag: str, convert: Callable[[_Node], _T]) -> _T | None:
        nodes = kids.get(tag)
        return convert(nodes[0]) if nodes else None

    def many(
        self, kids: Mapping[str, list[_Node]], tag: str, convert: Callable[[_Node], _T]
    ) -> tuple[_T, ...]:
        return tuple(convert(node) for node in kids.get(tag, ()))

    # --- typed leaves

    def string(self, node: _Node) -> str:
        self.attributes(node, ())
        return self.text(node)

    def boolean(self, node: _Node) -> bool:
        self.attributes(node, ())
        return self.bool_value(self.text(node), node.path)

    def bool_value(self, value: str, path: str) -> bool:
        if value in ("true", "1"):
            return True
        if value in ("false", "0"):
            return False
        raise self.fail(path, f"{value[:40]!r} is not a boolean (true, false, 1 or 0)")

    def timestamp(self, node: _Node) -> datetime:
        self.attributes(node, ())
        return self.timestamp_value(self.text(node), node.path)

    def timestamp_value(self, value: str, path: str) -> datetime:
        match = _DATETIME.match(value)
        if not match:
            raise self.fail(
                path,
                f"{value[:40]!r} is not a dateTime with a time zone (YYYY-MM-DDThh:mm:ss[.fff](Z|+hh:mm))",
            )
        try:
            offset = timedelta()
            if match["tz"] != "Z":
                sign = -1 if match["tz"][0] == "-" else 1
                offset = sign * timedelta(hours=int(match["tz"][1:3]), minutes=int(match["tz"][4:6]))
            micro = int((match["f"] or ".0")[1:7].ljust(6, "0"))
            moment = datetime(
                int(match["y"]), int(match["mo"]), int(match["d"]), int(match["h"]), int(match["mi"]),
                int(match["s"]), micro, tzinfo=timezone(offset),
            )  # fmt: skip
            return moment.astimezone(UTC)
        except (ValueError, OverflowError) as exc:
            raise self.fail(path, f"{value!r} is not a valid dateTime ({exc})") from None

    def day(self, node: _Node) -> date:
        self.attributes(node, ())
        value = self.text(node)
        match = _DATE.match(value)
        try:
            if not match:
                raise ValueError("expected YYYY-MM-DD")
            return date(int(match["y"]), int(match["mo"]), int(match["d"]))
        except ValueError as exc:
            raise self.fail(node.path, f"{value[:40]!r} is not a date ({exc})") from None

    def integer(self, node: _Node, low: int, high: int) -> int:
        self.attributes(node, ())
        value = self.text(node)
        if not _INTEGER.match(value) or not low <= int(value) <= high:
            raise self.fail(node.path, f"{value[:40]!r} is not a whole number from {low} to {high}")
        return int(value)

    def decimal(self, node: _Node, low: float, high: float) -> float:
        self.attributes(node, ())
        value = self.text(node)
        if not _DECIMAL.match(value) or not low <= float(value) <= high:
            raise self.fail(node.path, f"{value[:40]!r} is not a number from {low:g} to {high:g}")
        return float(value)

    def enum(self, node: _Node, kind: type[_E], what: str) -> _E:
        self.attributes(node, ())
        value = self.text(node)
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(repr(v.value) for v in kind)
            raise self.fail(node.path, f"unknown {what} {value[:80]!r} (one of {allowed})") from None

    def opt_attr_bool(self, node: _Node, attrs: Mapping[str, str], key: str) -> bool | None:
        return self.bool_value(attrs[key].strip(), f"{node.path}/@{key}") if key in attrs else None

    def opt_attr_datetime(self, node: _Node, attrs: Mapping[str, str], key: str) -> datetime | None:
        return self.timestamp_value(attrs[key].strip(), f"{node.path}/@{key}") if key in attrs else None

    @staticmethod
    def opt_attr(attrs: Mapping[str, str], key: str) -> str | None:
        value = attrs.get(key)
        return value.strip() if value is not None else None

    # --- schema types

    def email(self, node: _Node) -> Email:
        attrs = self.attributes(node, ("type", "verified", "verificationDate"))
        return Email(
            address=self.text(node),
            type=self.opt_attr(attrs, "type"),
            verified=self.opt_attr_bool(node, attrs, "verified"),
            verification_date=self.opt_attr_datetime(node, attrs, "verificationDate"),
        )

    def phone(self, node: _Node) -> Phone:
        attrs = self.attributes(
            node, ("type", "verified", "verificationDate", "countryCallingCode", "extension")
        )
        return Phone(
            number=self.text(node),
            type=self.opt_attr(attrs, "type"),
            verified=self.opt_attr_bool(node, attrs, "verified"),
            verification_date=self.opt_attr_datetime(node, attrs, "verificationDate"),
            country_calling_code=self.opt_attr(attrs, "countryCallingCode"),
            extension=self.opt_attr(attrs, "extension"),
        )

    def address(self, node: _Node) -> Address:
        attrs = self.attributes(node, ("type",))
        kids = self.children(
            node, dict.fromkeys(("address", "city", "zipCode", "state", "nonUsaState", "country"), False)
        )
        return Address(
            street=self.one(kids, "address", self.string),
            city=self.one(kids, "city", self.string),
            zip_code=self.one(kids, "zipCode", self.string),
            state=self.one(kids, "state", self.string),
            non_usa_state=self.one(kids, "nonUsaState", self.string),
            country=self.one(kids, "country", self.string),
            type=self.opt_attr(attrs, "type"),
        )

    def person_details(self, node: _Node) -> PersonDetails:
        self.attributes(node, ())
        kids = self.children(
            node,
            {"firstName": False, "lastName": False, "phone": True, "email": True, "address": True, "age": False,
             "dateOfBirth": False},
        )  # fmt: skip
        return PersonDetails(
            first_name=self.one(kids, "firstName", self.string),
            last_name=self.one(kids, "lastName", self.string),
            phones=self.many(kids, "phone", self.phone),
            emails=self.many(kids, "email", self.email),
            addresses=self.many(kids, "address", self.address),
            age=self.one(kids, "age", lambda n: self.integer(n, 0, 150)),
            date_of_birth=self.one(kids, "dateOfBirth", self.day),
        )

    def ip_capture_event(self, node: _Node) -> IpCaptureEvent:
        self.attributes(node, ())
        kids = self.children(
            node, dict.fromkeys(("ipAddress", "eventName", "dateTime", "possibleProxy", "port"), False)
        )
        address = self.one(kids, "ipAddress", self.string)
        if not address:
            raise self.fail(node.path, "<ipCaptureEvent> without an <ipAddress>")
        return IpCaptureEvent(
            ip_address=address,
            event_name=self.one(kids, "eventName", lambda n: self.enum(n, CaptureEvent, "eventName")),
            date_time=self.one(kids, "dateTime", self.timestamp),
            possible_proxy=self.one(kids, "possibleProxy", self.boolean),
            port=self.one(kids, "port", lambda n: self.integer(n, 0, 65535)),
        )

    def device_id(self, node: _Node) -> DeviceId:
        self.attributes(node, ())
        kids = self.children(node, dict.fromkeys(("idType", "idValue", "eventName", "dateTime"), False))
        value = self.one(kids, "idValue", self.string)
        if not value:
            raise self.fail(node.path, "<deviceId> without an <idValue>")
        return DeviceId(
            id_type=self.one(kids, "idType", self.string),
            id_value=value,
            event_name=self.one(kids, "eventName", lambda n: self.enum(n, CaptureEvent, "eventName")),
            date_time=self.one(kids, "dateTime", self.timestamp),
        )

    def estimated_location(self, node: _Node) -> EstimatedLocation:
        attrs = self.attributes(node, ("verified", "timestamp"))
        kids = self.children(node, dict.fromkeys(("city", "region", "countryCode"), False))
        return EstimatedLocation(
            city=self.one(kids, "city", self.string),
            region=self.one(kids, "region", self.string),
            country_code=self.one(kids, "countryCode", self.string),
            verified=self.opt_attr_bool(node, attrs, "verified"),
            timestamp=self.opt_attr_datetime(node, attrs, "timestamp"),
        )

    def account_disabled(self, node: _Node) -> AccountDisabled:
        attrs = self.attributes(node, ("disabledDate", "userNotified", "userNotifiedDate", "reenabledDate"))
        return AccountDisabled(
            disabled=self.bool_value(self.text(node), node.path),
            disabled_date=self.opt_attr_datetime(node, attrs, "disabledDate"),
            user_notified=self.opt_attr_bool(node, attrs, "userNotified"),
            user_notified_date=self.opt_attr_datetime(node, attrs, "userNotifiedDate"),
            reenabled_date=self.opt_attr_datetime(node, attrs, "reenabledDate"),
        )

    def ct_report_id(self, node: _Node) -> int:
        return self.integer(node, 1, 2**63 - 1)

    def associated_account(self, node: _Node) -> AssociatedAccount:
        attrs = self.attributes(node, ("type",))
        kids = self.children(
            node,
            {"platform": False, "firstName": False, "middleName": False, "lastName": False, "approximateAge": False,
             "dateOfBirth": False, "phone": True, "email": True, "allEmailsReported": False, "address": True,
             "espService": False, "espIdentifier": False, "profileUrl": True, "screenName": False,
             "displayName": True, "profileBio": False, "groupIdentifier": False, "compromisedAccount": False,
             "accountTemporarilyDisabled": False, "accountPermanentlyDisabled": False, "ipCaptureEvent": True,
             "deviceId": True, "priorCTReport": True, "priorCTReports": True, "additionalInfo": False},
        )  # fmt: skip
        platform_node = kids.get("platform", [None])[0]
        platform, third_party = None, None
        if platform_node is not None:
            platform_attrs = self.attributes(platform_node, ("thirdPartyUser",))
            platform = self.text(platform_node)
            third_party = self.opt_attr_bool(platform_node, platform_attrs, "thirdPartyUser")
        return AssociatedAccount(
            type=self.opt_attr(attrs, "type"),
            platform=platform,
            platform_third_party_user=third_party,
            first_name=self.one(kids, "firstName", self.string),
            middle_name=self.one(kids, "middleName", self.string),
            last_name=self.one(kids, "lastName", self.string),
            approximate_age=self.one(kids, "approximateAge", lambda n: self.integer(n, 0, 150)),
            date_of_birth=self.one(kids, "dateOfBirth", self.day),
            phones=self.many(kids, "phone", self.phone),
            emails=self.many(kids, "email", self.email),
            all_emails_reported=self.one(kids, "allEmailsReported", self.boolean),
            addresses=self.many(kids, "address", self.address),
            esp_service=self.one(kids, "espService", self.string),
            esp_identifier=self.one(kids, "espIdentifier", self.string),
            profile_urls=self.many(kids, "profileUrl", self.string),
            screen_name=self.one(kids, "screenName", self.string),
            display_names=self.many(kids, "displayName", self.string),
            profile_bio=self.one(kids, "profileBio", self.string),
            group_identifier=self.one(kids, "groupIdentifier", self.string),
            compromised_account=self.one(kids, "compromisedAccount", self.boolean),
            account_temporarily_disabled=self.one(kids, "accountTemporarilyDisabled", self.account_disabled),
            account_permanently_disabled=self.one(kids, "accountPermanentlyDisabled", self.account_disabled),
            ip_capture_events=self.many(kids, "ipCaptureEvent", self.ip_capture_event),
            device_ids=self.many(kids, "deviceId", self.device_id),
            # the schema spells it priorCTReport here and priorCTReports elsewhere; accept both
            prior_ct_reports=self.many(kids, "priorCTReport", self.ct_report_id)
            + self.many(kids, "priorCTReports", self.ct_report_id),
            additional_info=self.one(kids, "additionalInfo", self.string),
            source=node.path,
        )

    def person(self, node: _Node, role: PersonRole, report_platform: str | None) -> Person:
        self.attributes(node, ())
        spec = {
            _DETAILS_TAG[role]: False, "espIdentifier": False, "espService": False, "compromisedAccount": False,
            "screenName": False, "displayName": True, "profileUrl": True, "profileBio": False,
            "ipCaptureEvent": True, "deviceId": True, "priorCTReports": True, "groupIdentifier": False,
            "accountTemporarilyDisabled": False, "accountPermanentlyDisabled": False, "estimatedLocation": False,
            "allEmailsReported": False, "associatedAccount": True,
            # intendedRecipient's additionalInfo repeats in the schema; accepting repeats elsewhere costs nothing
            "additionalInfo": True,
        }  # fmt: skip
        if role is PersonRole.REPORTED:
            spec.update({"vehicleDescription": False, "thirdPartyUserReported": False})
        if role is PersonRole.VICTIM:
            spec["schoolName"] = False
        kids = self.children(node, spec)
        esp_service = self.one(kids, "espService", self.string)
        return Person(
            role=role,
            source=node.path,
            platform=esp_service or report_platform or "",
            details=self.one(kids, _DETAILS_TAG[role], self.person_details),
            vehicle_description=self.one(kids, "vehicleDescription", self.string),
            esp_identifier=self.one(kids, "espIdentifier", self.string),
            esp_service=esp_service,
            compromised_account=self.one(kids, "compromisedAccount", self.boolean),
            screen_name=self.one(kids, "screenName", self.string),
            display_names=self.many(kids, "displayName", self.string),
            profile_urls=self.many(kids, "profileUrl", self.string),
            profile_bio=self.one(kids, "profileBio", self.string),
            ip_capture_events=self.many(kids, "ipCaptureEvent", self.ip_capture_event),
            device_ids=self.many(kids, "deviceId", self.device_id),
            third_party_user_reported=self.one(kids, "thirdPartyUserReported", self.boolean),
            prior_ct_reports=self.many(kids, "priorCTReports", self.ct_report_id),
            group_identifier=self.one(kids, "groupIdentifier", self.string),
            account_temporarily_disabled=self.one(kids, "accountTemporarilyDisabled", self.account_disabled),
            account_permanently_disabled=self.one(kids, "accountPermanentlyDisabled", self.account_disabled),
            estimated_location=self.one(kids, "estimatedLocation", self.estimated_location),
            all_emails_reported=self.one(kids, "allEmailsReported", self.boolean),
            associated_accounts=self.many(kids, "associatedAccount", self.associated_account),
            school_name=self.one(kids, "schoolName", self.string),
            additional_info=self.many(kids, "additionalInfo", self.string),
        )

    def internet_detail(self, node: _Node) -> InternetDetail:
        self.attributes(node, ())
        kids = self.children(node, {kind.value: False for kind in IncidentKind})
        if len(kids) != 1:
            found = ", ".join(f"<{tag}>" for tag in kids) or "none"
            raise self.fail(
                node.path, f"<internetDetails> must hold exactly one incident subtype (found {found})"
            )
        tag, (sub,) = next(iter(kids.items()))
        kind = IncidentKind(tag)
        self.attributes(sub, ())
        specs: Mapping[IncidentKind, Mapping[str, bool]] = {
            IncidentKind.WEB_PAGE: {"url": True},
            IncidentKind.EMAIL: {"emailAddress": True, "content": False},
            IncidentKind.NEWSGROUP: {"name": False, "emailAddress": True, "content": False},
            IncidentKind.CHAT_IM: {"chatClient": False, "chatRoomName": False, "content": False},
            IncidentKind.ONLINE_GAMING: {"gameName": False, "console": False, "content": False},
            IncidentKind.CELL_PHONE: {"phoneNumber": False, "latitude": False, "longitude": False},
            IncidentKind.NON_INTERNET: {"locationName": False, "incidentAddress": True},
            IncidentKind.PEER_TO_PEER: {"client": False, "ipCaptureEvent": True, "fileNames": False},
        }
        sub_kids = self.children(sub, {**specs[kind], "additionalInfo": False})
        return InternetDetail(
            kind=kind,
            urls=self.many(sub_kids, "url", self.string),
            email_addresses=self.many(sub_kids, "emailAddress", self.email),
            newsgroup_name=self.one(sub_kids, "name", self.string),
            content=self.one(sub_kids, "content", self.string),
            chat_client=self.one(sub_kids, "chatClient", self.string),
            chat_room_name=self.one(sub_kids, "chatRoomName", self.string),
            game_name=self.one(sub_kids, "gameName", self.string),
            console=self.one(sub_kids, "console", self.string),
            phone_number=self.one(sub_kids, "phoneNumber", self.phone),
            latitude=self.one(sub_kids, "latitude", lambda n: self.decimal(n, -90, 90)),
            longitude=self.one(sub_kids, "longitude", lambda n: self.decimal(n, -180, 180)),
            location_name=self.one(sub_kids, "locationName", self.string),
            incident_addresses=self.many(sub_kids, "incidentAddress", self.address),
            client=self.one(sub_kids, "client", self.string),
            ip_capture_events=self.many(sub_kids, "ipCaptureEvent", self.ip_capture_event),
            file_names=self.one(sub_kids, "fileNames", self.string),
            additional_info=self.one(sub_kids, "additionalInfo", self.string),
        )

    def law_enforcement(self, node: _Node) -> LawEnforcement:
        self.attributes(node, ())
        kids = self.children(
            node,
            dict.fromkeys(("agencyName", "caseNumber", "officerContact", "reportedToLe",
                           "servedLegalProcessDomestic", "servedLegalProcessInternational"), False),
        )  # fmt: skip
        international, flea_country = None, None
        if "servedLegalProcessInternational" in kids:
            slpi = kids["servedLegalProcessInternational"][0]
            attrs = self.attributes(slpi, ("fleaCountry",))
            international = self.bool_value(self.text(slpi), slpi.path)
            flea_country = self.opt_attr(attrs, "fleaCountry")
        return LawEnforcement(
            agency_name=self.one(kids, "agencyName", self.string),
            case_number=self.one(kids, "caseNumber", self.string),
            officer_contact=self.one(kids, "officerContact", self.person_details),
            reported_to_le=self.one(kids, "reportedToLe", self.boolean),
            served_legal_process_domestic=self.one(kids, "servedLegalProcessDomestic", self.boolean),
            served_legal_process_international=international,
            flea_country=flea_country,
        )

    def reporter(self, node: _Node) -> Reporter:
        self.attributes(node, ())
        kids = self.children(
            node, dict.fromkeys(("reportingPerson", "contactPerson", "companyTemplate", "termsOfService",
                                 "legalURL"), False)
        )  # fmt: skip
        return Reporter(
            reporting_person=self.one(kids, "reportingPerson", self.person_details),
            contact_person=self.one(kids, "contactPerson", self.person_details),
            company_template=self.one(kids, "companyTemplate", self.string),
            terms_of_service=self.one(kids, "termsOfService", self.string),
            legal_url=self.one(kids, "legalURL", self.string),
        )

    def report_annotations(self, node: _Node) -> ReportAnnotations:
        self.attributes(node, ())
        kids = self.children(
            node, dict.fromkeys(("sextortion", "csamSolicitation", "minorToMinorInteraction", "spam",
                                 "sadisticOnlineExploitation"), False)
        )  # fmt: skip
        return ReportAnnotations(
            sextortion=self.one(kids, "sextortion", self.boolean),
            csam_solicitation=self.one(kids, "csamSolicitation", self.boolean),
            minor_to_minor_interaction=self.one(kids, "minorToMinorInteraction", self.boolean),
            spam=self.one(kids, "spam", self.boolean),
            sadistic_online_exploitation=self.one(kids, "sadisticOnlineExploitation", self.boolean),
        )

    def report(self, root: _Node, document: Document) -> Report:
        self.attributes(root, ())
        kids = self.children(
            root,
            {"batchedReport": False, "incidentSummary": False, "internetDetails": True, "lawEnforcement": False,
             "reporter": False, "personOrUserReported": False, "intendedRecipient": True, "victim": True,
             "additionalInfo": False},
        )  # fmt: skip
        batched_reason = None
        if "batchedReport" in kids:
            batched = kids["batchedReport"][0]
            attrs = self.attributes(batched, ("reason",))
            self.children(batched, {})
            batched_reason = self.opt_attr(attrs, "reason") or ""
        summary: dict[str, list[_Node]] = {}
        if "incidentSummary" in kids:
            summary_node = kids["incidentSummary"][0]
            self.attributes(summary_node, ())
            summary = self.children(
                summary_node,
                dict.fromkeys(("incidentType", "platform", "escalateToHighPriority", "reportAnnotations",
                               "incidentDateTime", "incidentDateTimeDescription"), False),
            )  # fmt: skip
        platform = self.one(summary, "platform", self.string) or None
        escalation = self.one(summary, "escalateToHighPriority", self.string)
        return Report(
            document=document,
            incident_type=self.one(
                summary, "incidentType", lambda n: self.enum(n, IncidentType, "incidentType")
            ),
            platform=platform,
            escalate_to_high_priority=escalation,
            immediate_danger=bool(escalation),
            annotations=self.one(summary, "reportAnnotations", self.report_annotations),
            incident_time=self.one(summary, "incidentDateTime", self.timestamp),
            incident_time_description=self.one(summary, "incidentDateTimeDescription", self.string),
            batched_reason=batched_reason,
            internet_details=self.many(kids, "internetDetails", self.internet_detail),
            law_enforcement=self.one(kids, "lawEnforcement", self.law_enforcement),
            reporter=self.one(kids, "reporter", self.reporter),
            reported_person=self.one(
                kids, "personOrUserReported", lambda n: self.person(n, PersonRole.REPORTED, platform)
            ),
            intended_recipients=self.many(
                kids, "intendedRecipient", lambda n: self.person(n, PersonRole.INTENDED_RECIPIENT, platform)
            ),
            victims=self.many(kids, "victim", lambda n: self.person(n, PersonRole.VICTIM, platform)),
            additional_info=self.one(kids, "additionalInfo", self.string),
        )

    def file_hash(self, node: _Node) -> FileHash:
        attrs = self.attributes(node, ("hashType",))
        raw_type = self.opt_attr(attrs, "hashType")
        if not raw_type:
            raise self.fail(f"{node.path}/@hashType", "<originalFileHash> needs its hashType")
        hash_type = _hash_type(raw_type)
        value = self.text(node)
        length = _HEX_LENGTHS.get(hash_type)
        if length is not None:
            value = value.lower()
            if len(value) != length or not all(c in "0123456789abcdef" for c in value):
                raise self.fail(node.path, f"{value[:80]!r} is not a {raw_type} hash ({length} hex digits)")
        elif not value:
            raise self.fail(node.path, "empty hash value")
        return FileHash(hash_type=hash_type, value=value)

    def file_annotations(self, node: _Node) -> FileAnnotations:
        self.attributes(node, ())
        names = {
            "animeDrawingVirtualHentai": "anime_drawing_virtual_hentai", "potentialMeme": "potential_meme",
            "viral": "viral", "possibleSelfProduction": "possible_self_production", "physicalHarm": "physical_harm",
            "violenceGore": "violence_gore", "bestiality": "bestiality", "liveStreaming": "live_streaming",
            "infant": "infant", "generativeAi": "generative_ai",
        }  # fmt: skip
        kids = self.children(node, dict.fromkeys(names, False))
        values: dict[str, bool | None] = {
            attr: self.one(kids, tag, self.boolean) for tag, attr in names.items()
        }
        return FileAnnotations(**values)

    def name_value_pairs(self, node: _Node) -> tuple[tuple[str | None, str | None], ...]:
        self.attributes(node, ())
        kids = self.children(node, {"nameValuePair": True})
        pairs = []
        for pair in kids.get("nameValuePair", ()):
            self.attributes(pair, ())
            parts = self.children(pair, {"name": False, "value": False})
            pairs.append((self.one(parts, "name", self.string), self.one(parts, "value", self.string)))
        return tuple(pairs)

    def file_details(self, root: _Node, document: Document) -> FileDetails:
        self.attributes(root, ())
        kids = self.children(
            root,
            {"reportId": False, "fileId": False, "fileName": False, "originalFileName": False,
             "uploadedToEspTimestamp": False, "locationOfFile": False, "fileViewedByEsp": False,
             "exifViewedByEsp": False, "publiclyAvailable": False, "fileRelevance": False, "potentialMeme": False,
             "fileAnnotations": False, "industryClassification": False, "originalFileHash": True,
             "ipCaptureEvent": True, "deviceId": True, "details": True, "additionalInfo": True},
        )  # fmt: skip
        details: list[tuple[str | None, str | None]] = []
        for group in self.many(kids, "details", self.name_value_pairs):
            details.extend(group)
        return FileDetails(
            document=document,
            report_id=self.one(kids, "reportId", self.ct_report_id),
            file_id=self.one(kids, "fileId", self.string),
            file_name=self.one(kids, "fileName", self.string),
            original_file_name=self.one(kids, "originalFileName", self.string),
            uploaded_to_esp_timestamp=self.one(kids, "uploadedToEspTimestamp", self.timestamp),
            location_of_file=self.one(kids, "locationOfFile", self.string),
            file_viewed_by_esp=self.one(kids, "fileViewedByEsp", self.boolean),
            exif_viewed_by_esp=self.one(kids, "exifViewedByEsp", self.boolean),
            publicly_available=self.one(kids, "publiclyAvailable", self.boolean),
            file_relevance=self.one(
                kids, "fileRelevance", lambda n: self.enum(n, FileRelevance, "fileRelevance")
            ),
            potential_meme=self.one(kids, "potentialMeme", self.boolean),
            annotations=self.one(kids, "fileAnnotations", self.file_annotations),
            industry_classification=self.one(
                kids,
                "industryClassification",
                lambda n: self.enum(n, IndustryClassification, "industryClassification"),
            ),
            hashes=self.many(kids, "originalFileHash", self.file_hash),
            ip_capture_events=self.many(kids, "ipCaptureEvent", self.ip_capture_event),
            device_ids=self.many(kids, "deviceId", self.device_id),
            details=tuple(details),
            additional_info=self.many(kids, "additionalInfo", self.string),
        )


_DETAILS_TAG: Mapping[PersonRole, str] = {
    PersonRole.REPORTED: "personOrUserReportedPerson",
    PersonRole.INTENDED_RECIPIENT: "intendedRecipientPerson",
    PersonRole.VICTIM: "victimPerson",
}

# ----------------------------------------------------------------------------------------- identifier extraction


def _attempt(
    kind: IdentifierKind,
    raw: str,
    normalise: Callable[[], str],
    *,
    platform: str = "",
    observed_at: datetime | None = None,
    source: str,
    event: CaptureEvent | None = None,
) -> PersonIdentifier:
    try:
        return PersonIdentifier(kind, raw, normalise(), platform, observed_at, source, event)
    except IdentifierError as exc:
        return PersonIdentifier(kind, raw, None, platform, observed_at, source, event, problem=str(exc))


def _indexed(path: str, tag: str, index: int) -> str:
    return f"{path}/{tag}" + (f"[{index}]" if index > 1 else "")


def _collect_contact(
    found: list[PersonIdentifier],
    emails: Sequence[Email],
    phones: Sequence[Phone],
    path: str,
    default_region: str,
) -> None:
    for i, email in enumerate(emails, 1):
        found.append(
            _attempt(
                IdentifierKind.EMAIL,
                email.address,
                partial(normalise_email, email.address),
                observed_at=email.verification_date,
                source=_indexed(path, "email", i),
            )
        )
    for i, phone in enumerate(phones, 1):
        found.append(
            _attempt(
                IdentifierKind.PHONE,
                phone.number,
                partial(
                    normalise_phone,
                    phone.number,
                    default_region=default_region,
                    country_calling_code=phone.country_calling_code or "",
                ),
                observed_at=phone.verification_date,
                source=_indexed(path, "phone", i),
            )
        )


def _collect_account(
    found: list[PersonIdentifier],
    *,
    platform: str,
    esp_identifier: str | None,
    screen_name: str | None,
    ips: Sequence[IpCaptureEvent],
    devices: Sequence[DeviceId],
    path: str,
) -> None:
    if esp_identifier:
        found.append(
            _attempt(
                IdentifierKind.USERNAME,
                esp_identifier,
                partial(normalise_account_id, esp_identifier, platform=platform),
                platform=platform,
                source=f"{path}/espIdentifier",
            )
        )
    if screen_name:
        found.append(
            _attempt(
                IdentifierKind.USERNAME,
                screen_name,
                partial(normalise_username, screen_name, platform=platform),
                platform=platform,
                source=f"{path}/screenName",
            )
        )
    for i, event in enumerate(ips, 1):
        found.append(
            _attempt(
                IdentifierKind.IP,
                event.ip_address,
                partial(normalise_ip, event.ip_address),
                observed_at=event.date_time,
                source=_indexed(path, "ipCaptureEvent", i),
                event=event.event_name,
            )
        )
    for i, device in enumerate(devices, 1):
        found.append(
            _attempt(
                IdentifierKind.DEVICE,
                device.id_value,
                partial(normalise_device, device.id_value, id_type=device.id_type or ""),
                observed_at=device.date_time,
                source=_indexed(path, "deviceId", i),
                event=device.event_name,
            )
        )


def iter_identifiers(
    report: Report, *, default_region: str = "GB"
) -> Iterator[tuple[Person, PersonIdentifier]]:
    """Every (person, identifier) pair of a report, reported person first."""
    for person in report.people:
        for ident in person.identifiers(default_region=default_region):
            yield person, ident
