"""What intake produces and how it fails: the limits, the choices (source, sex, role), the frozen drafts, and
`FieldError` / `IntakeError`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from winnow.core.identifiers import IdentifierKind

LONDON = ZoneInfo("Europe/London")

MAX_REFERRALS = 10_000
MAX_FIELD_CHARS = 100_000  # any one CSV cell
MAX_SUMMARY_CHARS = 20_000
MAX_REFERENCE_CHARS = 100
MAX_NAME_CHARS = 200
MAX_ADDRESS_CHARS = 500
MAX_IDENTIFIER_CHARS = 500
MAX_PLATFORM_CHARS = 100
MAX_ERRORS = (
    1_000  # stop collecting after this many: nobody reads more, and a hostile file could make millions
)
SHOWN_ERRORS = 50  # in str(IntakeError)
MAX_JSON_DEPTH = 7  # {"referrals": [ {subjects: [ {identifiers: [ {...} ]} ]} ]}
FUTURE_TOLERANCE = timedelta(minutes=5)  # clocks differ a little
EARLIEST_RECEIVED = datetime(1990, 1, 1, tzinfo=UTC)
EARLIEST_BIRTH = date(1900, 1, 1)

_BOM = b"\xef\xbb\xbf"


class Source(StrEnum):
    NCA_CEOP = "nca_ceop"
    NCMEC = "ncmec"
    FORCE_INTELLIGENCE = "force_intelligence"
    OTHER_AGENCY = "other_agency"
    PUBLIC = "public"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    UNKNOWN = "unknown"


class SubjectRole(StrEnum):
    REPORTED = "reported"
    INTENDED_RECIPIENT = "intended_recipient"
    VICTIM = "victim"
    OTHER = "other"


@dataclass(frozen=True)
class FieldError:
    """One problem: where (row or item, field) and why. `row` is None for the whole file or a single referral."""

    row: int | None
    field: str
    reason: str
    row_label: str = "row"  # "item" for JSON files

    def __str__(self) -> str:
        place = []
        if self.row is not None:
            place.append(f"{self.row_label} {self.row}")
        if self.field:
            place.append(f"field {self.field!r}")
        return f"{', '.join(place)}: {self.reason}" if place else self.reason


class IntakeError(Exception):
    """The input was refused; `errors` says every place and reason found."""

    def __init__(self, errors: Sequence[FieldError], filename: str = "") -> None:
        super().__init__(list(errors), filename)  # args kept so the exception pickles
        self.errors: list[FieldError] = list(errors)
        self.filename = filename

    def __str__(self) -> str:
        count = len(self.errors)
        head = f"{self.filename}: " if self.filename else ""
        lines = [f"{head}{count} problem{'s' if count != 1 else ''} found:"]
        lines += [f"  - {error}" for error in self.errors[:SHOWN_ERRORS]]
        if count > SHOWN_ERRORS:
            lines.append(f"  ... and {count - SHOWN_ERRORS} more")
        return "\n".join(lines)


@dataclass(frozen=True)
class IdentifierDraft:
    kind: IdentifierKind
    value: str  # as received, trimmed (for a username: the name without its platform)
    normalised: str
    platform: str
    observed_at: datetime | None  # aware, UTC


@dataclass(frozen=True)
class SubjectDraft:
    given_names: str
    family_name: str
    date_of_birth: date | None
    sex: Sex
    addresses: tuple[str, ...]
    role: SubjectRole
    identifiers: tuple[IdentifierDraft, ...]


@dataclass(frozen=True)
class ReferralDraft:
    source: Source
    source_reference: str
    received_at: datetime  # aware, UTC
    summary: str
    immediate_danger: bool
    subjects: tuple[SubjectDraft, ...]
    locator: str  # where in the file: "row 2", "rows 2-3", "item 4"; "" for a single referral
