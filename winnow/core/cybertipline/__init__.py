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
that is not true/false/1/0 (an empty presence flag such as `<sextortion/>` means yes, as the schema's
`fixed="true"` says), a repeated single element, a fileDetails whose reportId does not match, XML that is not
well-formed or a wrong root element all raise `CyberTiplineError(document, element_path, reason)`. An element or
attribute the schema reader does not know does not refuse a well-formed report: it is listed in the document's
`warnings` (the package is stored verbatim, so nothing is lost). Descriptive labels the schema leaves open in practice (email/phone/address/account `type`, `idType`,
`hashType`, country codes) are kept as given.

Each document's original bytes and SHA-256 are kept (`Document`) so they can be stored verbatim. Identifiers are
exposed already normalised by `winnow.core.identifiers`, raw value alongside: `Person.identifiers()`.

Modules, in the order a package is read:
- `errors`: `CyberTiplineError` and its kinds, and the `Limits` on one package;
- `package`: `read_package`, `read_zip`, `parse_package`, `parse_report`, `parse_file_details`;
- `archive`: zip directory checks and capped member reads;
- `xmltree`: defusedxml fed into a counting tree builder;
- `values` and `reader`: typed values, then one reader per schema type;
- `vocabulary` and `model`: the schema's enums and the frozen dataclasses;
- `extraction`: each person's identifiers, normalised.
"""

from winnow.core.cybertipline.errors import (
    DEFAULT_LIMITS,
    CyberTiplineError,
    HostileXmlError,
    Limits,
    MiB,
    PackageLimitError,
)
from winnow.core.cybertipline.extraction import PersonIdentifier
from winnow.core.cybertipline.model import (
    AccountDisabled,
    Address,
    AssociatedAccount,
    DeviceId,
    Document,
    Email,
    EstimatedLocation,
    FileAnnotations,
    FileDetails,
    FileHash,
    InternetDetail,
    IpCaptureEvent,
    LawEnforcement,
    Package,
    Person,
    PersonDetails,
    Phone,
    Report,
    ReportAnnotations,
    Reporter,
)
from winnow.core.cybertipline.package import (
    parse_file_details,
    parse_package,
    parse_report,
    read_package,
    read_zip,
)
from winnow.core.cybertipline.vocabulary import (
    CaptureEvent,
    FileRelevance,
    IncidentKind,
    IncidentType,
    IndustryClassification,
    PersonRole,
)

__all__ = [
    "AccountDisabled",
    "Address",
    "AssociatedAccount",
    "CaptureEvent",
    "CyberTiplineError",
    "DEFAULT_LIMITS",
    "DeviceId",
    "Document",
    "Email",
    "EstimatedLocation",
    "FileAnnotations",
    "FileDetails",
    "FileHash",
    "FileRelevance",
    "HostileXmlError",
    "IncidentKind",
    "IncidentType",
    "IndustryClassification",
    "InternetDetail",
    "IpCaptureEvent",
    "LawEnforcement",
    "Limits",
    "MiB",
    "Package",
    "PackageLimitError",
    "Person",
    "PersonDetails",
    "PersonIdentifier",
    "PersonRole",
    "Phone",
    "Report",
    "ReportAnnotations",
    "Reporter",
    "parse_file_details",
    "parse_package",
    "parse_report",
    "read_package",
    "read_zip",
]
