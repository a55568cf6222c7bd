"""Audited reads by construction (invariant 5), scoped by construction (invariant 6).

A view that shows one person's or one referral's data gets its object from `get_for_read`: the object is looked
up only among what the user's units may see (the model's `visible_to`), 404 otherwise; the user must hold the
capability asked for in the object's unit, 403 otherwise; and the read event is written before the object is
returned. A view cannot show the object without the event, and no event is written for a refused read.

`get_visible` is the same scoping without the read event, for requests that only change the object (a POST that
redirects): the change writes its own event in the service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404

from winnow.permissions import Capability, require

from .actions import AuditAction
from .services import audit_read

M = TypeVar("M", bound=Model)


def unit_of(obj: Model) -> int:
    """The unit an object belongs to: its own `unit_id`, or its referral's."""
    unit_id = getattr(obj, "unit_id", None)
    if unit_id is None:
        referral = getattr(obj, "referral", None)
        unit_id = getattr(referral, "unit_id", None)
    if unit_id is None:
        raise TypeError(f"{type(obj).__name__} has no unit: it cannot be read through get_for_read")
    return int(unit_id)


def get_visible(request: Any, source: type[M] | QuerySet[M], *, capability: Capability | None = None,
                **lookup: Any) -> M:
    """The object the lookup names among those the user's units may see (404 otherwise), with the capability
    checked in its unit (403). Writes no event: use get_for_read for anything that is shown."""
    queryset = source if isinstance(source, QuerySet) else source._default_manager.all()
    obj = get_object_or_404(queryset.visible_to(request.user), **lookup)  # type: ignore[attr-defined]
    if capability is not None:
        require(request.user, capability, unit_of(obj))
    return obj


Detail = dict[str, Any] | Callable[[Any], dict[str, Any]] | None


def get_for_read(request: Any, source: type[M] | QuerySet[M], *, capability: Capability | None = None,
                 action: AuditAction | None = None, detail: Detail = None, **lookup: Any) -> M:
    """get_visible, then the read event (`<model>.read` unless `action` says otherwise) in the object's unit.
    `detail` is a dict, or a function of the object (to name e.g. its referral's reference)."""
    obj = get_visible(request, source, capability=capability, **lookup)
    audit_read(request, obj, unit_id=unit_of(obj), detail=detail(obj) if callable(detail) else detail,
               action=action)
    return obj


def audit_read_of(request: Any, obj: Model, *, action: AuditAction | None = None,
                  detail: dict[str, Any] | None = None) -> None:
    """The read event for an object already fetched through get_visible (when a related object is what is shown,
    e.g. a referral's raw package)."""
    audit_read(request, obj, unit_id=unit_of(obj), detail=detail, action=action)
