"""Disclosure control: small-cell suppression with secondary suppression, and k-anonymity.

Primary suppression hides every count from 1 to threshold - 1 (ONS practice; zeros are shown). Secondary
suppression: wherever a group of cells has a published total (a period's n, a year's quarters), a group with
exactly one hidden cell could be recovered by subtraction, so the smallest other cell in it (a non-zero one first)
is hidden too, repeated until no group has a single hidden cell. The same function runs for the page and the
export, so the screen never shows what the export hides.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def suppress(cells: Mapping[K, int], groups: Iterable[Sequence[K]], threshold: int,
             forced: Iterable[K] = ()) -> set[K]:
    """The keys of the cells to hide. `groups` are sets of cells whose sum is published or derivable; `forced`
    cells are hidden whatever their count (hidden in another published table they add up to)."""
    if threshold < 1:
        raise ValueError("the threshold must be at least 1")
    hidden = {key for key, count in cells.items() if 0 < count < threshold} | (set(forced) & set(cells))
    group_list = [list(g) for g in groups]
    changed = True
    while changed:
        changed = False
        for group in group_list:
            inside = [key for key in group if key in cells]
            if sum(1 for key in inside if key in hidden) != 1:
                continue
            rest = [key for key in inside if key not in hidden]
            if not rest:
                continue
            # Smallest non-zero first (hiding a zero beside one small cell protects little), then zeros.
            pick = min(rest, key=lambda key: (cells[key] == 0, cells[key]))
            hidden.add(pick)
            changed = True
    return hidden


def smallest_class(rows: Iterable[Mapping[str, object]], quasi: Sequence[str]) -> tuple[int, tuple[object, ...] | None]:
    """The size of the smallest equivalence class on the quasi-identifiers, and that class's values."""
    classes = Counter(tuple(row[q] for q in quasi) for row in rows)
    if not classes:
        return 0, None
    values, size = min(classes.items(), key=lambda item: item[1])
    return size, values
