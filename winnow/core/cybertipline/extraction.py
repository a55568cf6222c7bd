"""Identifier extraction: each person's emails, phones, account ids, screen names, IP capture events and device ids
normalised by `winnow.core.identifiers` into `PersonIdentifier`s, the raw value kept alongside."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from winnow.core.cybertipline.vocabulary import CaptureEvent
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

if TYPE_CHECKING:
    from winnow.core.cybertipline.model import DeviceId, Email, IpCaptureEvent, Phone


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
