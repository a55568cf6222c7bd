"""Who may do what: one table of role -> capabilities, and one question every view, API endpoint and command asks.

Below every app: it imports Django only. A person holds a role in a unit (a `Membership`); a capability is held
in a unit when one of the person's roles there grants it. Seeing a unit's data at all is a matter of membership
(the `visible_to` QuerySets, invariant 6); the capabilities here say what a member may do with it.

A missing capability raises `NotPermitted`, never the built-in `PermissionError` (which means an operating-system
permission failure, and which scanning code raises and catches for unreadable files). `NotPermitted` is a
`PermissionDenied`, so Django answers 403 for it; the API turns it into its one error shape, and commands into
a `CommandError` through `command_require`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError
from django.db import models


class Role(models.TextChoices):
    HANDLER = "handler", "Referral handler"
    INVESTIGATOR = "investigator", "Investigator"
    SUPERVISOR = "supervisor", "Supervisor"
    FORENSIC = "forensic", "Forensic / victim-identification officer"
    OFFENDER_MANAGER = "offender_manager", "Offender manager"
    ANALYST = "analyst", "Analyst"
    ADMINISTRATOR = "administrator", "Administrator"


class Capability(models.TextChoices):
    """What a role may do. Closed: a new power is a new member here and a line in ROLE_CAPABILITIES."""

    READ_REFERRALS = "read_referrals", "read the unit's referrals, queue and cases"
    RECORD_REFERRALS = "record_referrals", "record referrals (form, file import, CyberTipline, API)"
    PROGRESS_REFERRALS = "progress_referrals", "move referrals on through their lifecycle"
    CLOSE_REFERRALS = "close_referrals", "close referrals"
    DECIDE_LINKS = "decide_links", "run person linkage, decide link proposals and undo merges"
    ASSESS = "assess", "complete assessments and youth-pathway decisions"
    DECIDE_BANDS = "decide_bands", "confirm or override bands"
    ASSIGN_WORK = "assign_work", "assign referrals to officers"
    TAKE_WORK = "take_work", "take assigned referrals"
    RECORD_CASE_ACTIONS = "record_case_actions", "record case actions"
    READ_DASHBOARD = "read_dashboard", "read the dashboard and capacity forecast"
    READ_OFFENDERS = "read_offenders", "read managed offenders"
    MANAGE_OFFENDERS = "manage_offenders", "register and manage offenders"
    WORK_EXHIBITS = "work_exhibits", "record exhibits, upload scan results, confirm suggestions"
    READ_HASH_SETS = "read_hash_sets", "read hash-set metadata"
    WORK_SERIES = "work_series", "work victim-identification series: queue, lifecycle, exports"
    IMPORT_HASH_SETS = "import_hash_sets", "import hash sets"
    READ_AUDIT = "read_audit", "read the audit trail"
    READ_VALIDATION = "read_validation", "read the validation report (outcomes against bands)"
    READ_TRENDS = "read_trends", "read offending trends built from structured case facts"
    APPROVE_RESEARCH_EXPORT = "approve_research_export", "approve a disclosure-controlled research export"
    ADMINISTER = "administer", "use Django's admin: users, units, memberships, tokens"
    EXCHANGE_INFORMATION = "exchange_information", "send and answer requests for information between units"


C = Capability

# The one table. Every member of a unit reads its referrals; everything else is granted here and nowhere else.
ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.HANDLER: frozenset({
        C.READ_REFERRALS, C.RECORD_REFERRALS, C.PROGRESS_REFERRALS, C.DECIDE_LINKS, C.ASSESS,
        C.EXCHANGE_INFORMATION,
    }),
    Role.INVESTIGATOR: frozenset({
        C.READ_REFERRALS, C.PROGRESS_REFERRALS, C.CLOSE_REFERRALS, C.TAKE_WORK, C.RECORD_CASE_ACTIONS,
        C.READ_OFFENDERS, C.EXCHANGE_INFORMATION,
    }),
    Role.SUPERVISOR: frozenset({
        C.READ_REFERRALS, C.RECORD_REFERRALS, C.PROGRESS_REFERRALS, C.CLOSE_REFERRALS, C.DECIDE_LINKS, C.ASSESS,
        C.DECIDE_BANDS, C.ASSIGN_WORK, C.TAKE_WORK, C.RECORD_CASE_ACTIONS, C.READ_DASHBOARD, C.READ_OFFENDERS,
        C.MANAGE_OFFENDERS, C.WORK_EXHIBITS, C.READ_HASH_SETS, C.READ_AUDIT, C.READ_VALIDATION,
        C.READ_TRENDS, C.APPROVE_RESEARCH_EXPORT, C.WORK_SERIES, C.EXCHANGE_INFORMATION,
    }),
    Role.FORENSIC: frozenset({C.READ_REFERRALS, C.WORK_EXHIBITS, C.READ_HASH_SETS, C.WORK_SERIES}),
    Role.OFFENDER_MANAGER: frozenset({
        C.READ_REFERRALS, C.READ_OFFENDERS, C.MANAGE_OFFENDERS, C.EXCHANGE_INFORMATION,
    }),
    Role.ANALYST: frozenset({C.READ_REFERRALS, C.READ_DASHBOARD, C.READ_VALIDATION, C.READ_TRENDS}),
    Role.ADMINISTRATOR: frozenset({
        C.READ_REFERRALS, C.RECORD_REFERRALS, C.DECIDE_LINKS, C.READ_DASHBOARD, C.READ_HASH_SETS,
        C.IMPORT_HASH_SETS, C.READ_AUDIT, C.ADMINISTER,
    }),
}

# A superuser (made with createsuperuser, possibly with no membership) holds the administrator's capabilities for
# what belongs to no unit (hash sets, the admin site); unit data still needs a membership.
_SUPERUSER_CAPABILITIES = frozenset({C.READ_HASH_SETS, C.IMPORT_HASH_SETS, C.ADMINISTER})

del C


class NotPermitted(PermissionDenied):
    """The person lacks a capability (in the unit, or in any unit). The web answers 403, the API its error shape."""

    def __init__(self, capability: Capability, unit_id: int | None = None, message: str = "") -> None:
        self.capability = capability
        self.unit_id = unit_id
        where = "in this unit" if unit_id is not None else "in any of your units"
        super().__init__(message or f"Your role does not let you {capability.label} {where}.")


@functools.cache
def roles_with(capability: Capability) -> frozenset[Role]:
    """The roles that grant a capability (for queries over memberships, e.g. who can be assigned work)."""
    return frozenset(role for role, caps in ROLE_CAPABILITIES.items() if capability in caps)


def _signed_in(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


# A request asks these questions a dozen times (the header, the view, each panel and template tag). The request's
# user carries its memberships, read in one query on first use, for that request only: the user object is made
# afresh for each request, so a membership granted or removed counts from the next request on.
_MEMO = "_winnow_memberships"


def memoise_for_request(user: Any) -> None:
    """Let `memberships` keep what it reads on this user object (called for the request's user only)."""
    if _signed_in(user):
        setattr(user, _MEMO, [])


def memberships(user: Any) -> tuple[tuple[int, str], ...]:
    """The user's (unit id, role) pairs: one query, or none when this request's user has already read them."""
    memo: list[tuple[tuple[int, str], ...]] | None = getattr(user, _MEMO, None)
    if memo:
        return memo[0]
    pairs = tuple(user.memberships.order_by().values_list("unit_id", "role"))
    if memo is not None:
        memo.append(pairs)
    return pairs


def units_with(user: Any, capability: Capability) -> set[int]:
    """The ids of the units in which the user holds the capability."""
    if not _signed_in(user):
        return set()
    roles = roles_with(capability)
    return {unit_id for unit_id, role in memberships(user) if role in roles}


def unit_ids(user: Any) -> set[int]:
    """Every unit the user belongs to, whatever the role."""
    return {unit_id for unit_id, _ in memberships(user)} if _signed_in(user) else set()


def held(user: Any) -> frozenset[Capability]:
    """Every capability the user holds in at least one unit (for building the header)."""
    if not _signed_in(user):
        return frozenset()
    caps = capabilities_of({role for _, role in memberships(user)})
    return caps | _SUPERUSER_CAPABILITIES if user.is_superuser else caps


def can(user: Any, capability: Capability, unit_id: int | None = None) -> bool:
    """Whether the user holds the capability in the unit, or (unit_id None) in at least one unit."""
    if not _signed_in(user):
        return False
    if unit_id is None and user.is_superuser and capability in _SUPERUSER_CAPABILITIES:
        return True
    units = units_with(user, capability)
    return bool(units) if unit_id is None else unit_id in units


def require(user: Any, capability: Capability, unit_id: int | None = None, message: str = "") -> None:
    """Raise NotPermitted unless `can(user, capability, unit_id)`."""
    if not can(user, capability, unit_id):
        raise NotPermitted(capability, unit_id, message)


def require_units(user: Any, capability: Capability, message: str = "") -> set[int]:
    """The units in which the user holds the capability; NotPermitted when there are none."""
    units = units_with(user, capability)
    if not units:
        raise NotPermitted(capability, None, message)
    return units


def command_require(user: Any, capability: Capability, unit_id: int | None = None, message: str = "") -> None:
    """`require` for management commands: the same refusal, as a CommandError that names the user and the power."""
    if not can(user, capability, unit_id):
        name = user.get_username() if user is not None else "nobody"
        where = "in that unit" if unit_id is not None else "in any unit"
        raise CommandError(message or f"{name} does not {capability.label} {where} (needs {capability.value}).")


def capabilities_of(roles: Iterable[str]) -> frozenset[Capability]:
    """Everything a set of roles grants (a role no longer in the table grants nothing)."""
    out: set[Capability] = set()
    for role in roles:
        if role in Role.values:
            out |= ROLE_CAPABILITIES[Role(role)]
    return frozenset(out)
