"""The dataclasses a CyberTipline package is read into: `Package`, `Report`, `FileDetails`, `Person` and the
schema types inside them. All frozen; each document keeps its original bytes and SHA-256 (`Document`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from winnow.core.cybertipline.extraction import PersonIdentifier, _collect_account, _collect_contact
from winnow.core.cybertipline.vocabulary import (
    _DETAILS_TAG,
    CaptureEvent,
    FileRelevance,
    IncidentKind,
    IncidentType,
    IndustryClassification,
    PersonRole,
    _hash_type,
)


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
    age_assertion_discrepancy: bool | None = None  # the age the person gave disagrees with other evidence
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
class AssociatedAccount:
    type: str | None = None  # Billing, Linked, Business, Creator, Parent/Guardian, Other, ... as written
    platform: str | None = None
    platform_third_party_user: bool | None = None
    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    approximate_age: int | None = None
    age_assertion_discrepancy: bool | None = None
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
    informational: bool | None = None  # the reporter marks the report informational only


@dataclass(frozen=True, slots=True)
class InternetDetail:
    """One `internetDetails` entry; `kind` says which subtype, and only that subtype's fields are set."""

    kind: IncidentKind
    urls: tuple[str, ...] = ()
    third_party_hosted_content: bool | None = None  # webPageIncident: hosted on another company's server
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
    warnings: tuple[str, ...] = ()  # constructs in the document Winnow did not read (kept verbatim)

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
    detail_types: tuple[str | None, ...] = ()  # details/@type (EXIF, HASH, ...), one per details/nameValuePair
    warnings: tuple[str, ...] = ()

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

    @property
    def warnings(self) -> tuple[str, ...]:
        """Every construct not read, each prefixed with its document's name."""
        return tuple(
            f"{doc.name}: {warning}"
            for doc, warnings in ((self.report.document, self.report.warnings),
                                  *((f.document, f.warnings) for f in self.files))
            for warning in warnings
        )  # fmt: skip
