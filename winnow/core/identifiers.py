"""Identifier normalisation: one canonical form per identifier so that equal things compare equal.

Libraries, not hand-written rules, where a solved problem exists (phone numbers, IP addresses).
"""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum

import phonenumbers


class IdentifierKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    USERNAME = "username"
    IP = "ip"
    DEVICE = "device"


class IdentifierError(ValueError):
    """The value cannot be an identifier of this kind; the message says why."""


_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,253}\.[^@\s.]{2,63}$")


def normalise(kind: IdentifierKind | str, value: str, *, platform: str = "", default_region: str = "GB") -> str:
    """Return the canonical form of `value`, or raise IdentifierError naming the reason."""
    kind = IdentifierKind(kind)
    value = value.strip()
    if not value:
        raise IdentifierError("is empty")
    if kind is IdentifierKind.EMAIL:
        if not _EMAIL.match(value):
            raise IdentifierError(f"{value!r} is not an email address")
        return value.lower()
    if kind is IdentifierKind.PHONE:
        try:
            number = phonenumbers.parse(value, default_region)
        except phonenumbers.NumberParseException as exc:
            raise IdentifierError(f"{value!r} is not a phone number ({exc})") from None
        if not phonenumbers.is_possible_number(number):
            raise IdentifierError(f"{value!r} is not a possible phone number")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if kind is IdentifierKind.USERNAME:
        if not platform.strip():
            raise IdentifierError("a username needs its platform")
        return f"{platform.strip().lower()}:{value.lower()}"
    if kind is IdentifierKind.IP:
        try:
            return ipaddress.ip_address(value).compressed
        except ValueError:
            raise IdentifierError(f"{value!r} is not an IPv4 or IPv6 address") from None
    # Device ids: IMEI and the like are compared without separators, upper case.
    device = re.sub(r"[\s\-:]", "", value).upper()
    if not device.isalnum():
        raise IdentifierError(f"{value!r} has characters a device id cannot have")
    return device
