"""The closed vocabularies of the ESP reporting schema (incident types, capture events, file relevance, industry
classification, person roles) as StrEnums, and the person-details element of each role."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


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


_DETAILS_TAG: Mapping[PersonRole, str] = {
    PersonRole.REPORTED: "personOrUserReportedPerson",
    PersonRole.INTENDED_RECIPIENT: "intendedRecipientPerson",
    PersonRole.VICTIM: "victimPerson",
}


def _hash_type(value: str) -> str:
    return value.strip().upper().replace("-", "").replace("_", "")
