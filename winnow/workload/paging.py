"""Keyset paging for the queue: a page starts after (or ends before) the last row seen, never at an OFFSET.

The queue's order is (priority_tier, deadline_at, received_at, id), the columns of the partial index
`referral_open_queue`. A page is "rows whose key is greater than the cursor's, in that order, the first 50": one row
comparison `(a, b, c, d) > (x, y, z, w)` that PostgreSQL and SQLite both answer from the index, so page 200 costs
what page 1 costs (an OFFSET reads and throws away every row before it). The cursor names a row, not a position, so
a referral that arrives or moves while someone pages is neither skipped nor shown twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import F, Func, Value

KEY = ("priority_tier", "deadline_at", "received_at", "id")
_FIELDS: tuple[models.Field[Any, Any], ...] = (
    models.IntegerField(), models.DateTimeField(), models.DateTimeField(), models.BigIntegerField(),
)


class _Row(Func):
    """A row value, (a, b, c, d), which compares column by column."""

    function = ""
    template = "(%(expressions)s)"
    output_field = models.Field()


@dataclass(frozen=True)
class Cursor:
    tier: int
    deadline_at: datetime
    received_at: datetime
    id: int

    def encode(self) -> str:
        return f"{self.tier}~{self.deadline_at.isoformat()}~{self.received_at.isoformat()}~{self.id}"

    @classmethod
    def decode(cls, text: str) -> Cursor | None:
        """The cursor in a link, or None if it is not one (a hand-edited link shows the first page, never a 500)."""
        parts = text.split("~")
        if len(parts) != 4 or len(text) > 200:
            return None
        try:
            cursor = cls(int(parts[0]), datetime.fromisoformat(parts[1]), datetime.fromisoformat(parts[2]), int(parts[3]))
        except ValueError:
            return None
        if cursor.deadline_at.tzinfo is None or cursor.received_at.tzinfo is None:
            return None
        if not (0 <= cursor.tier < 100 and 0 <= cursor.id < 2**63):  # beyond what the columns hold: not a cursor
            return None
        return cursor

    @classmethod
    def of(cls, row: Any) -> Cursor:
        return cls(row.priority_tier, row.deadline_at, row.received_at, row.pk)

    def values(self) -> tuple[Any, ...]:
        return (self.tier, self.deadline_at, self.received_at, self.id)


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    next: Cursor | None  # the last row's key, if there are more rows after it
    previous: Cursor | None  # the first row's key, if there are rows before it
    first: bool


def _key(queryset: Any) -> Any:
    return queryset.alias(_queue_key=_Row(*(F(name) for name in KEY)))


def _bound(cursor: Cursor) -> _Row:
    return _Row(*(Value(v, output_field=f) for v, f in zip(cursor.values(), _FIELDS, strict=True)))


def keyset_page(queryset: Any, *, after: Cursor | None = None, before: Cursor | None = None, size: int = 50) -> Page:
    """One page of `queryset` (already filtered) in queue order: after `after`, or else before `before`, or the first.
    One query of size + 1 rows (the extra row says whether there is another page); no COUNT, no OFFSET."""
    ordered = queryset.order_by(*KEY)
    if before is not None and after is None:
        rows = list(_key(ordered).filter(_queue_key__lt=_bound(before)).order_by(*(f"-{k}" for k in KEY))[: size + 1])
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        return Page(rows, Cursor.of(rows[-1]) if rows else None, Cursor.of(rows[0]) if more_before and rows else None,
                    first=not more_before)
    if after is not None:
        ordered = _key(ordered).filter(_queue_key__gt=_bound(after))
    rows = list(ordered[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, Cursor.of(rows[-1]) if more else None,
                Cursor.of(rows[0]) if after is not None and rows else None, first=after is None)
