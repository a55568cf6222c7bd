"""Identifier normalisation: one canonical form per identifier so that equal things compare equal.

Libraries, not hand-written rules, where a solved problem exists (phone numbers, IP addresses). Where the rule
depends on who runs the service (which email providers ignore dots, which platforms ignore case), the rules are
data in this module (`EMAIL_PROVIDERS`, `PLATFORMS`), each entry saying why, so a reviewer can check and extend
them without reading code.

Every function here raises `IdentifierError` (a `ValueError`) with a reason a handler can read, and nothing else,
for any string it is given. `normalise` is idempotent: `normalise(k, normalise(k, v)) == normalise(k, v)`.

An identifier is evidence of different strength: an email, phone or device id names one account or handset, but
an IP address is shared (households, offices, mobile carrier NAT, VPNs) and reassigned over time, so
`ip_observations_link` links two IP observations only when they are close in time or come from the same account.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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


def normalise(
    kind: IdentifierKind | str, value: str, *, platform: str = "", default_region: str = "GB"
) -> str:
    """Return the canonical form of `value`, or raise IdentifierError naming the reason.

    - email: `normalise_email` (provider rules from `EMAIL_PROVIDERS`);
    - phone: `normalise_phone` (E.164; `default_region` for numbers written without a country code);
    - username: `normalise_username` (needs `platform`; rules from `PLATFORMS`); the result is `platform:name`;
    - ip: `normalise_ip` (compressed form; IPv4-mapped IPv6 becomes IPv4);
    - device: `normalise_device` without a declared id type (use `normalise_device` when the type is known).
    """
    try:
        kind = IdentifierKind(kind)
    except ValueError:
        raise IdentifierError(f"{kind!r} is not an identifier kind") from None
    if not isinstance(value, str):
        raise IdentifierError(f"expected text, got {type(value).__name__}")
    if kind is IdentifierKind.EMAIL:
        return normalise_email(value)
    if kind is IdentifierKind.PHONE:
        return normalise_phone(value, default_region=default_region)
    if kind is IdentifierKind.USERNAME:
        return normalise_username(value, platform=platform)
    if kind is IdentifierKind.IP:
        return normalise_ip(value)
    return normalise_device(value)


def match_keys(
    kind: IdentifierKind | str,
    value: str,
    *,
    platform: str = "",
    default_region: str = "GB",
    id_type: str = "",
) -> frozenset[str]:
    """The keys under which this identifier should be looked up for exact links.

    Always contains the normalised form. Extra keys are added only where two different normalised forms denote the
    same thing: an IMEISV (16 digits, with a software version) also yields the IMEI of the same handset, since a
    software update changes the IMEISV but not the device. Keys never widen a match beyond what the provider or
    standard guarantees (no "maybe the +tag is ignored" keys: an exact link must be an exact fact).
    """
    try:
        kind = IdentifierKind(kind)
    except ValueError:
        raise IdentifierError(f"{kind!r} is not an identifier kind") from None
    if kind is IdentifierKind.DEVICE:
        device = normalise_device(value, id_type=id_type)
        keys = {device}
        if _device_type(id_type) == "IMEISV":
            body = device[:14]
            keys.add(body + _luhn_check_digit(body))
        return frozenset(keys)
    return frozenset({normalise(kind, value, platform=platform, default_region=default_region)})


# --------------------------------------------------------------------------------------------------------- email


@dataclass(frozen=True, slots=True)
class EmailProviderRule:
    """How one mail provider maps addresses to mailboxes.

    `domains` all behave this way; `canonical_domain`, when set, means every listed domain reaches the same mailbox
    (so the address is rewritten to it). `tag_separator`: the provider delivers `name<sep>anything@` to `name@`.
    `ignored`: characters of the local part the provider ignores. `source`: why we believe it.
    """

    provider: str
    domains: frozenset[str]
    canonical_domain: str | None = None
    tag_separator: str | None = None
    ignored: str = ""
    source: str = ""


EMAIL_PROVIDERS: tuple[EmailProviderRule, ...] = (
    EmailProviderRule(
        provider="Google Gmail",
        domains=frozenset({"gmail.com", "googlemail.com"}),
        canonical_domain="gmail.com",
        tag_separator="+",
        ignored=".",
        source="Google Gmail help: dots do not matter in Gmail addresses; name+anything@ is delivered to name@; "
        "googlemail.com is the same service under another domain.",
    ),
    EmailProviderRule(
        provider="Microsoft Outlook.com",
        domains=frozenset(
            {
                "outlook.com",
                "hotmail.com",
                "live.com",
                "msn.com",
                "hotmail.co.uk",
                "live.co.uk",
                "outlook.co.uk",
            }
        ),
        tag_separator="+",
        source="Microsoft supports plus addressing in Outlook.com and Exchange Online; dots are significant, and "
        "each domain is its own namespace (a@hotmail.com and a@outlook.com can be different people).",
    ),
    EmailProviderRule(
        provider="Apple iCloud Mail",
        domains=frozenset({"icloud.com", "me.com", "mac.com"}),
        tag_separator="+",
        source="iCloud Mail delivers name+tag@ to name@; dots are significant; me.com/mac.com are not merged "
        "with icloud.com because only accounts created before given dates hold all three.",
    ),
    EmailProviderRule(
        provider="Proton Mail",
        domains=frozenset({"proton.me", "protonmail.com", "protonmail.ch", "pm.me"}),
        tag_separator="+",
        ignored=".-_",
        source="Proton documents +aliases; it also ignores dots, hyphens and underscores in the local part "
        "(observed and confirmed by Proton support, not in their documentation). Domains are not merged: "
        "additional addresses on another Proton domain may belong to another account.",
    ),
    EmailProviderRule(
        provider="Fastmail",
        domains=frozenset({"fastmail.com", "fastmail.fm"}),
        tag_separator="+",
        source="Fastmail documents plus addressing; dots are significant.",
    ),
    EmailProviderRule(
        provider="Yahoo Mail",
        domains=frozenset({"yahoo.com", "yahoo.co.uk", "ymail.com", "rocketmail.com"}),
        source="Listed so nobody 'fixes' it: Yahoo has no plus addressing, and its disposable addresses "
        "(base-keyword@) use a separately chosen base name, not the account name, so nothing may be stripped.",
    ),
)

_PROVIDER_BY_DOMAIN: Mapping[str, EmailProviderRule] = {
    domain: rule for rule in EMAIL_PROVIDERS for domain in rule.domains
}

_DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_LOCAL_FORBIDDEN = re.compile(r"[\s@\x00-\x1f\x7f<>()\[\],;:\\\"]")


def email_provider(address: str) -> EmailProviderRule | None:
    """The provider rule that applies to this address (after domain normalisation), if any."""
    _, domain = _split_email(address)
    return _PROVIDER_BY_DOMAIN.get(domain)


def normalise_email(value: str) -> str:
    """Lower-case the address; apply the provider's tag and dot rules only where `EMAIL_PROVIDERS` says so.

    Unknown providers are only lower-cased (RFC 5321 lets a server treat case as significant, but no provider a
    referral is likely to name does): a +tag there may or may not reach the same mailbox, so it is kept.
    """
    return _fixed_point(_normalise_email_once, value)


def _normalise_email_once(value: str) -> str:
    local, domain = _split_email(value)
    rule = _PROVIDER_BY_DOMAIN.get(domain)
    if rule is not None:
        if rule.tag_separator and rule.tag_separator in local:
            local = local.split(rule.tag_separator, 1)[0]
        for char in rule.ignored:
            local = local.replace(char, "")
        if rule.canonical_domain:
            domain = rule.canonical_domain
        if not local:
            raise IdentifierError(f"{value!r} has no mailbox name once {rule.provider}'s rules are applied")
    return f"{local}@{domain}"


def _fixed_point(step: Callable[[str], str], value: str) -> str:
    """Apply `step` until it changes nothing, so that normalising a normalised value never changes it (Unicode
    composition can make one pass's output differ from the next pass's)."""
    current = step(value)
    for _ in range(4):
        following = step(current)
        if following == current:
            return current
        current = following
    raise IdentifierError(f"{value[:60]!r} has no stable normal form")


def _split_email(value: str) -> tuple[str, str]:
    text = unicodedata.normalize("NFC", value.strip())
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    if text.count("@") != 1:
        raise IdentifierError(f"{value!r} is not an email address (needs exactly one @)")
    local, domain = text.split("@")
    local = unicodedata.normalize("NFC", local.lower())
    if not local or len(local) > 64:
        raise IdentifierError(
            f"{value!r} is not an email address (the name before @ must be 1-64 characters)"
        )
    if _LOCAL_FORBIDDEN.search(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        raise IdentifierError(f"{value!r} is not an email address (characters not allowed before @)")
    return local, _normalise_domain(domain, value)


def _normalise_domain(domain: str, original: str) -> str:
    domain = domain.strip().rstrip(".").lower()
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise IdentifierError(
                f"{original!r} is not an email address (the domain is not a valid name)"
            ) from None
    labels = domain.split(".")
    if (
        len(domain) > 253
        or len(labels) < 2
        or not all(_DOMAIN_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise IdentifierError(f"{original!r} is not an email address (the domain is not a valid name)")
    return domain


# --------------------------------------------------------------------------------------------------------- phone


_POSSIBLE_REASONS: Mapping[int, str] = {
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "the country code does not exist",
    phonenumbers.ValidationResult.TOO_SHORT: "too short for its country",
    phonenumbers.ValidationResult.TOO_LONG: "too long for its country",
    phonenumbers.ValidationResult.INVALID_LENGTH: "no number in its country has this length",
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "a local number without its area code",
}


def normalise_phone(value: str, *, default_region: str = "GB", country_calling_code: str = "") -> str:
    """E.164 (`+447700900461`) via `phonenumbers`, or IdentifierError saying why the number is impossible.

    `country_calling_code` (e.g. "+44", as CyberTipline's attribute carries it) applies to a number written
    nationally ("07700 900461"); a number starting with + or 00 carries its own. Numbers are checked for being
    *possible* (length for the country), not *valid* (allocated): the library's allocation data lags the regulators,
    and a real but newly allocated number must not be refused. Extensions are dropped: E.164 has none.
    """
    text = value.strip()
    if not text:
        raise IdentifierError("is empty")
    if len(text) > 64:
        raise IdentifierError(f"{value[:40]!r}... is too long to be a phone number")
    region = (default_region or "").upper() or None
    code = country_calling_code.strip().lstrip("+").lstrip("0")
    if code:
        if not code.isdigit() or len(code) > 3:
            raise IdentifierError(f"country calling code {country_calling_code!r} is not a number")
        if not text.startswith(("+", "00")):
            code_region = phonenumbers.region_code_for_country_code(int(code))
            if code_region == "ZZ":
                raise IdentifierError(f"country calling code +{code} does not exist")
            if code_region == "001":  # non-geographic: parse in international form
                text, region = f"+{code}{text}", None
            else:
                region = code_region
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise IdentifierError(f"{value!r} is not a phone number ({_parse_reason(exc)})") from None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise IdentifierError(
            f"{value!r} is not a possible phone number ({_POSSIBLE_REASONS.get(reason, 'impossible')})"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _parse_reason(exc: phonenumbers.NumberParseException) -> str:
    return {
        phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "no country code, or one that does not exist",
        phonenumbers.NumberParseException.NOT_A_NUMBER: "not a number",
        phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too short after the international prefix",
        phonenumbers.NumberParseException.TOO_SHORT_NSN: "too short",
        phonenumbers.NumberParseException.TOO_LONG: "too long",
    }.get(exc.error_type, "not a number")


# ------------------------------------------------------------------------------------------------------ username


@dataclass(frozen=True, slots=True)
class PlatformRule:
    """How one platform compares usernames.

    `key` is the canonical platform name used in normalised usernames; `names` are the spellings that mean it
    (compared case-insensitively). `case_insensitive`: the platform treats `Name` and `name` as one account.
    `prefixes`: written before a name on that platform and not part of it (`@name`, `u/name`). `ignored`:
    characters the platform ignores within names. `source`: why we believe it.
    """

    key: str
    names: frozenset[str]
    case_insensitive: bool = True
    prefixes: tuple[str, ...] = ("@",)
    ignored: str = ""
    source: str = ""


PLATFORMS: tuple[PlatformRule, ...] = (
    PlatformRule(
        "instagram",
        frozenset({"instagram", "instagram.com", "ig"}),
        source="handles are unique ignoring case",
    ),
    PlatformRule(
        "x", frozenset({"x", "twitter", "x.com", "twitter.com", "x (twitter)"}), source="@handles ignore case"
    ),
    PlatformRule(
        "tiktok", frozenset({"tiktok", "tiktok.com"}), source="handles are lower-case; @ is written before"
    ),
    PlatformRule("snapchat", frozenset({"snapchat", "snap"}), source="usernames are stored lower-case"),
    PlatformRule("telegram", frozenset({"telegram", "t.me"}), source="usernames are case-insensitive; @name"),
    PlatformRule(
        "reddit",
        frozenset({"reddit", "reddit.com"}),
        prefixes=("/u/", "u/", "/user/"),
        source="usernames are case-insensitive; written u/name",
    ),
    PlatformRule("github", frozenset({"github", "github.com"}), source="logins are case-insensitive"),
    PlatformRule(
        "discord",
        frozenset({"discord"}),
        source="unique usernames (since 2023) are lower-case only; legacy name#1234 tags are kept as written",
    ),
    PlatformRule("kik", frozenset({"kik", "kik messenger"}), source="usernames are case-insensitive"),
    PlatformRule("roblox", frozenset({"roblox"}), source="usernames are unique ignoring case"),
    PlatformRule(
        "youtube", frozenset({"youtube", "youtube.com"}), source="@handles are unique ignoring case"
    ),
    PlatformRule(
        "facebook",
        frozenset({"facebook", "facebook.com", "fb", "meta facebook"}),
        ignored=".",
        source="Facebook help: periods and capital letters don't count as part of a username",
    ),
    PlatformRule(
        "threads", frozenset({"threads", "threads.net"}), source="an Instagram handle, case-insensitive"
    ),
)

# Platforms not in the table: case is folded (no widely used platform distinguishes accounts by case, and a missed
# link costs more than a reviewed false one), a leading @ is removed, nothing else is changed.
DEFAULT_PLATFORM_RULE = PlatformRule("", frozenset(), source="default for platforms not listed")

_PLATFORM_BY_NAME: Mapping[str, PlatformRule] = {name: rule for rule in PLATFORMS for name in rule.names}
_UNSAFE_NAME = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")


def platform_key(platform: str) -> str:
    """Canonical platform name: table alias if known, else folded, whitespace collapsed, without ':'."""
    folded = " ".join(unicodedata.normalize("NFKC", platform).casefold().split())
    rule = _PLATFORM_BY_NAME.get(folded)
    if rule is not None:
        return rule.key
    key = folded.replace(":", "")
    if not key:
        raise IdentifierError("a username needs its platform")
    if len(key) > 100:
        raise IdentifierError("the platform name is too long")
    return key


def normalise_username(value: str, *, platform: str) -> str:
    """`platform:name`, with the platform's case, prefix and ignored-character rules applied.

    A value already written `platform:name` for the same platform is accepted as is (so normalising twice changes
    nothing).
    """
    key = platform_key(platform)
    rule = _PLATFORM_BY_NAME.get(key, DEFAULT_PLATFORM_RULE)
    name = unicodedata.normalize("NFKC", value.strip())
    if _starts_folded(name, key + ":"):
        name = name[len(key) + 1 :]
    name = _fixed_point(lambda text: _username_once(text, rule, value), name)
    if len(name) > 256:
        raise IdentifierError(f"{value[:40]!r}... is too long to be a username")
    return f"{key}:{name}"


def _starts_folded(text: str, prefix: str) -> bool:
    return text[: len(prefix)].casefold() == prefix


def _username_once(name: str, rule: PlatformRule, original: str) -> str:
    name = unicodedata.normalize("NFKC", name.strip())
    stripped = True
    while stripped:  # "@@name", "u/@name": every leading marker goes
        stripped = False
        for prefix in (*rule.prefixes, "@"):
            if _starts_folded(name, prefix):
                name, stripped = name[len(prefix) :], True
    if rule.case_insensitive:
        name = unicodedata.normalize("NFKC", name.casefold())
    for char in rule.ignored:
        name = name.replace(char, "")
    name = unicodedata.normalize("NFKC", name)
    if not name:
        raise IdentifierError(f"{original!r} is not a username (nothing left once the prefix is removed)")
    if _UNSAFE_NAME.search(name):
        raise IdentifierError(f"{original!r} is not a username (it contains spaces or control characters)")
    return name


def normalise_account_id(value: str, *, platform: str) -> str:
    """A platform's own account number (CyberTipline `espIdentifier`): `platform:#id`, case kept.

    Stored as a USERNAME-kind identifier (the kind list is shared with the database), in its own `#` namespace
    so that account 123 never collides with a user who chose the screen name "123". Ids are opaque: case and
    everything else is kept, only surrounding space is removed.
    """
    key = platform_key(platform)
    text = value.strip()
    if text.startswith(f"{key}:#"):
        text = text[len(key) + 2 :]
    if not text or _UNSAFE_NAME.search(text) or len(text) > 256:
        raise IdentifierError(f"{value!r} is not an account id (empty, too long, or has spaces)")
    return f"{key}:#{text}"


# ------------------------------------------------------------------------------------------------------------ IP


class IpScope(StrEnum):
    """Where an address sits; only PUBLIC (and DOCUMENTATION, which stands in for it in tests and samples) names
    one network on the internet. The others are shared by countless unrelated networks."""

    PUBLIC = "public"
    DOCUMENTATION = "documentation"
    PRIVATE = "private"
    SHARED = "shared"  # carrier-grade NAT (RFC 6598): one address for many subscribers at once
    LOOPBACK = "loopback"
    LINK_LOCAL = "link-local"
    MULTICAST = "multicast"
    UNSPECIFIED = "unspecified"
    RESERVED = "reserved"


_IP_SCOPES: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, IpScope], ...] = tuple(
    (ipaddress.ip_network(net), scope)
    for net, scope in (
        ("192.0.2.0/24", IpScope.DOCUMENTATION),  # RFC 5737 TEST-NET-1
        ("198.51.100.0/24", IpScope.DOCUMENTATION),  # TEST-NET-2
        ("203.0.113.0/24", IpScope.DOCUMENTATION),  # TEST-NET-3
        ("2001:db8::/32", IpScope.DOCUMENTATION),  # RFC 3849
        ("3fff::/20", IpScope.DOCUMENTATION),  # RFC 9637
        ("0.0.0.0/8", IpScope.UNSPECIFIED),
        ("::/128", IpScope.UNSPECIFIED),
        ("127.0.0.0/8", IpScope.LOOPBACK),
        ("::1/128", IpScope.LOOPBACK),
        ("10.0.0.0/8", IpScope.PRIVATE),  # RFC 1918
        ("172.16.0.0/12", IpScope.PRIVATE),
        ("192.168.0.0/16", IpScope.PRIVATE),
        ("fc00::/7", IpScope.PRIVATE),  # unique local
        ("100.64.0.0/10", IpScope.SHARED),
        ("169.254.0.0/16", IpScope.LINK_LOCAL),
        ("fe80::/10", IpScope.LINK_LOCAL),
        ("224.0.0.0/4", IpScope.MULTICAST),
        ("ff00::/8", IpScope.MULTICAST),
    )
)
LINKABLE_IP_SCOPES = frozenset({IpScope.PUBLIC, IpScope.DOCUMENTATION})


def normalise_ip(value: str) -> str:
    """Compressed IPv4/IPv6 text; IPv4-mapped IPv6 (`::ffff:192.0.2.1`) becomes the IPv4 address it carries.

    IPv4 octets with leading zeros are refused (`010.0.0.1` means 8 to some software and 10 to other).
    """
    address = _parse_ip(value)
    return str(address)


def _parse_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if not text or len(text) > 100 or not text.isascii():
        raise IdentifierError(f"{value[:60]!r} is not an IPv4 or IPv6 address")
    try:
        address = ipaddress.ip_address(text)
    except ValueError as exc:
        raise IdentifierError(f"{value!r} is not an IPv4 or IPv6 address ({exc})") from None
    if (
        isinstance(address, ipaddress.IPv6Address)
        and address.ipv4_mapped is not None
        and not address.scope_id
    ):
        return address.ipv4_mapped
    return address


def ip_scope(value: str) -> IpScope:
    """The range an address falls in (see `IpScope`)."""
    address = _parse_ip(value)
    for network, scope in _IP_SCOPES:
        if address.version == network.version and address in network:
            return scope
    return IpScope.PUBLIC if address.is_global else IpScope.RESERVED


# Why 24 hours: fixed broadband in the UK keeps a subscriber's address for days to weeks (long DHCP leases,
# sticky PPP sessions), so within a day the same public address very probably reaches the same line; beyond that
# reassignment becomes likely and the evidence decays. It is still only a line, not a person (a household, an
# office, a café, or thousands of mobile users behind carrier NAT), so an IP link is a lead for a handler to weigh,
# never a merge. A shorter window (e.g. 1 h) suits mobile addresses; callers pass `window`.
DEFAULT_IP_LINK_WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class IpLinkDecision:
    """Whether two IP observations may link two records, and why (shown to the handler)."""

    links: bool
    reason: str
    gap: timedelta | None = None

    def __bool__(self) -> bool:
        return self.links


def ip_observations_link(
    a_ip: str,
    a_time: datetime | None,
    b_ip: str,
    b_time: datetime | None,
    *,
    window: timedelta = DEFAULT_IP_LINK_WINDOW,
    same_account: bool = False,
) -> IpLinkDecision:
    """Decide whether two sightings of an IP address may link: an IP alone is weak evidence.

    They link only if both are the same globally routed address (private, carrier-NAT, loopback, link-local,
    multicast and reserved addresses never link: countless unrelated networks use them) AND either the sightings
    are within `window` of each other or `same_account` is true. Times must be timezone-aware.
    """
    if window < timedelta(0):
        raise ValueError("window must not be negative")
    a, b = _parse_ip(a_ip), _parse_ip(b_ip)
    if a != b:
        return IpLinkDecision(False, f"different addresses ({a} and {b})")
    scope = ip_scope(str(a))
    if scope not in LINKABLE_IP_SCOPES:
        return IpLinkDecision(False, f"{a} is a {scope.value} address, used by many unrelated networks")
    gap = None
    if a_time is not None and b_time is not None:
        gap = abs(_utc(a_time) - _utc(b_time))
    if same_account:
        return IpLinkDecision(True, f"same address {a} used by the same account", gap)
    if gap is None:
        return IpLinkDecision(False, f"same address {a}, but the time of a sighting is unknown")
    if gap <= window:
        return IpLinkDecision(True, f"same address {a} within {_hours(gap)} (window {_hours(window)})", gap)
    return IpLinkDecision(False, f"same address {a}, but {_hours(gap)} apart (window {_hours(window)})", gap)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("IP sighting times must be timezone-aware")
    return moment.astimezone(UTC)


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.1f} h" if hours >= 1 else f"{delta.total_seconds() / 60:.0f} min"


# -------------------------------------------------------------------------------------------------------- device

# Separators people and systems write inside device ids; none is part of the id.
_DEVICE_SEPARATORS = re.compile(r"[\s\-:./]")

# Declared id types, as ESPs spell them, mapped to the types we check.
_DEVICE_TYPES: Mapping[str, str] = {
    "IMEI": "IMEI",
    "IMEISV": "IMEISV",
    "ICCID": "ICCID",
    "SIM": "ICCID",
    "MEID": "MEID",
}


def _device_type(id_type: str) -> str:
    compact = re.sub(r"[^A-Z0-9]", "", id_type.upper())
    return _DEVICE_TYPES.get(compact, compact)


def _luhn_check_digit(body: str) -> str:
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:  # doubled: the rightmost digit of the body sits next to the check digit
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return str((10 - total % 10) % 10)


def imei_check_digit(body: str) -> str:
    """The Luhn check digit of a 14-digit IMEI body (TAC + serial number)."""
    if len(body) != 14 or not (body.isascii() and body.isdigit()):
        raise IdentifierError(f"{body!r} is not a 14-digit IMEI body")
    return _luhn_check_digit(body)


def normalise_device(value: str, *, id_type: str = "") -> str:
    """Upper case, separators removed, and checked by type where the type is declared.

    - IMEI: 15 digits whose last is the Luhn check digit (refused if wrong: a wrong digit means a mistyped id,
      and a mistyped id must not link to someone else's handset). 14 digits (the IMEI without its check digit, as
      some systems store it) are completed with the computed digit, because the 14 digits determine the 15th and
      both spellings name the same handset.
    - IMEISV: 16 digits (14-digit IMEI body + 2-digit software version), kept whole; `match_keys` adds the IMEI.
    - ICCID (SIM serial): 18-22 digits, starting 89 (ITU-T E.118). The Luhn digit is not enforced: issuers differ
      on whether the 20th digit is a check digit.
    - MEID: 14 hex digits.
    - Any other or no declared type: letters and digits only, kept. Without a type nothing is guessed: a 14-digit
      number might be an MEID, a 16-digit one a card number.
    """
    compact = _DEVICE_SEPARATORS.sub("", value.strip()).upper()
    kind = _device_type(id_type)
    label = id_type.strip() or "device id"
    if not compact:
        raise IdentifierError("is empty")
    if not (compact.isascii() and compact.isalnum()):
        raise IdentifierError(f"{value!r} has characters a device id cannot have")
    if len(compact) > 128:
        raise IdentifierError(f"{value[:40]!r}... is too long to be a device id")
    if kind == "IMEI":
        if not compact.isdigit() or len(compact) not in (14, 15):
            raise IdentifierError(f"{value!r} is not an IMEI (14 or 15 digits)")
        expected = _luhn_check_digit(compact[:14])
        if len(compact) == 14:
            return compact + expected
        if compact[14] != expected:
            raise IdentifierError(
                f"{value!r} is not a valid IMEI (check digit is {compact[14]}, expected {expected})"
            )
    elif kind == "IMEISV":
        if not compact.isdigit() or len(compact) != 16:
            raise IdentifierError(f"{value!r} is not an IMEISV (16 digits)")
    elif kind == "ICCID":
        if not compact.isdigit() or not 18 <= len(compact) <= 22 or not compact.startswith("89"):
            raise IdentifierError(f"{value!r} is not an ICCID (18-22 digits starting 89)")
    elif kind == "MEID":
        if len(compact) != 14 or not all(c in "0123456789ABCDEF" for c in compact):
            raise IdentifierError(f"{value!r} is not an MEID (14 hexadecimal digits)")
    elif not compact:
        raise IdentifierError(f"{label} is empty")
    return compact
