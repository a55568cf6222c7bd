"""Victim-identification series: grouping unknown material, the lifecycle, and the order of the work queue.

Pure Python (no Django). The web application stores what these functions decide.

Grouping. Every unknown image or video of a scan (no hash-set hit) is an *item*. Items join a series when they are
the same file (equal MD5) or perceptually the same picture (PDQ hashes within `threshold` bits, Meta's 31 by
default; only hashes of quality >= 50) as another item: single linkage, the connected components of that graph, as
the triage clusters are (winnow.core.matching.cluster_pdq). A new scan's items are grouped among themselves and
against every earlier item (those already in a series, and earlier singletons, which then form a series with the
new copy). The PDQ search is winnow.core.matching.PdqIndex (faiss, exact), so the cost is one range search of the
new items against the earlier ones plus one of the new items against themselves: measured in
benchmarks/bench_series.py.

A component that touches several existing series merges them into the oldest (the lowest id); the others are
recorded as merged, never rewritten. A component of one new item touching nothing stays a singleton (no series).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from .matching import DEFAULT_PDQ_THRESHOLD, QUALITY_THRESHOLD, PdqIndex, pdq_codes

# ------------------------------------------------------------------------------------------------------ grouping


@dataclass(frozen=True, slots=True)
class Item:
    """One unknown image or video: its MD5 and, when PDQ could hash it well enough, its PDQ."""

    md5: str
    pdq: str | None = None
    pdq_quality: int | None = None

    @property
    def hashable(self) -> bool:
        return bool(self.pdq) and (self.pdq_quality or 0) >= QUALITY_THRESHOLD


@dataclass(frozen=True, slots=True)
class Earlier:
    """An item already stored: its key (the caller's id), and its series id (None: a singleton so far)."""

    key: int
    md5: str
    pdq: str | None
    series: int | None


@dataclass
class Group:
    """One component that forms or extends a series."""

    new: list[int]  # indexes into the new items
    earlier: list[int]  # keys of earlier items that had no series and now join this one
    series: int | None  # the existing series it joins (the oldest it touches), None = a new series
    merged: list[int] = field(default_factory=list)  # other existing series it merges into `series`


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def join(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            self.parent[max(rx, ry)] = min(rx, ry)


def _link_exact(uf: _Union, new: Sequence[Item], earlier: Sequence[Earlier]) -> None:
    n = len(new)
    first_of_series: dict[int, int] = {}
    by_md5: dict[str, int] = {}
    for j, e in enumerate(earlier):
        if e.series is not None:
            uf.join(first_of_series.setdefault(e.series, n + j), n + j)
        by_md5.setdefault(e.md5, n + j)
    for i, it in enumerate(new):
        k = by_md5.setdefault(it.md5, i)
        if k != i:
            uf.join(i, k)


def _link_pdq(uf: _Union, new: Sequence[Item], earlier: Sequence[Earlier], threshold: int) -> None:
    n = len(new)
    new_pos = [i for i, it in enumerate(new) if it.hashable]
    if not new_pos:
        return
    codes = pdq_codes(new[i].pdq or "" for i in new_pos)
    qi, ri, _ = PdqIndex(codes, threshold=threshold).search(codes)
    for a, b in zip(qi.tolist(), ri.tolist(), strict=True):
        if a < b:
            uf.join(new_pos[a], new_pos[b])
    old_pos = [j for j, e in enumerate(earlier) if e.pdq]
    if old_pos:
        qi, ri, _ = PdqIndex(pdq_codes(earlier[j].pdq or "" for j in old_pos), threshold=threshold).search(codes)
        for a, b in zip(qi.tolist(), ri.tolist(), strict=True):
            uf.join(new_pos[a], n + old_pos[b])


def group_items(new: Sequence[Item], earlier: Sequence[Earlier], *,
                threshold: int = DEFAULT_PDQ_THRESHOLD) -> list[Group]:
    """How the new items join series. Nodes 0..n-1 are the new items, n.. the earlier ones; the earlier items of
    one series are joined to each other through the series' first item."""
    n = len(new)
    if not n:
        return []
    uf = _Union(n + len(earlier))
    _link_exact(uf, new, earlier)
    _link_pdq(uf, new, earlier, threshold)
    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(uf.find(i), []).append(i)
    touched: dict[int, set[int]] = {r: set() for r in members}  # existing series per component
    joining: dict[int, list[int]] = {r: [] for r in members}  # earlier singletons per component
    for j, e in enumerate(earlier):
        r = uf.find(n + j)
        if r in members:
            if e.series is None:
                joining[r].append(e.key)
            else:
                touched[r].add(e.series)
    groups = []
    for r, idx in members.items():
        series = sorted(touched[r])
        if not series and len(idx) + len(joining[r]) < 2:
            continue  # one unknown image seen once: not (yet) a series
        groups.append(Group(new=idx, earlier=joining[r], series=series[0] if series else None, merged=series[1:]))
    groups.sort(key=lambda g: g.new[0])
    return groups


# ------------------------------------------------------------------------------------------------------ lifecycle


class Status(StrEnum):
    NEW = "new"
    UNDER_REVIEW = "under_review"
    IN_PROGRESS = "in_progress"
    CHILD_IDENTIFIED = "child_identified"
    SAFEGUARDED = "safeguarded"
    REFERRED_NATIONAL = "referred_national"
    NOT_IDENTIFIABLE = "not_identifiable"


STATUS_LABELS = {
    Status.NEW: "New",
    Status.UNDER_REVIEW: "Under review",
    Status.IN_PROGRESS: "Identification in progress",
    Status.CHILD_IDENTIFIED: "Child identified",
    Status.SAFEGUARDED: "Safeguarded",
    Status.REFERRED_NATIONAL: "Referred to the national victim-identification team",
    Status.NOT_IDENTIFIABLE: "Not identifiable",
}

S = Status
# Where a series may go next. A series with one child identified may have another (the same status again);
# a series referred nationally or judged not identifiable can be reopened for review when something new arrives.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.NEW: frozenset({S.UNDER_REVIEW, S.REFERRED_NATIONAL, S.NOT_IDENTIFIABLE}),
    S.UNDER_REVIEW: frozenset({S.IN_PROGRESS, S.REFERRED_NATIONAL, S.NOT_IDENTIFIABLE}),
    S.IN_PROGRESS: frozenset({S.CHILD_IDENTIFIED, S.REFERRED_NATIONAL, S.NOT_IDENTIFIABLE}),
    S.CHILD_IDENTIFIED: frozenset({S.CHILD_IDENTIFIED, S.SAFEGUARDED}),
    S.SAFEGUARDED: frozenset({S.CHILD_IDENTIFIED}),
    S.REFERRED_NATIONAL: frozenset({S.UNDER_REVIEW, S.CHILD_IDENTIFIED}),
    S.NOT_IDENTIFIABLE: frozenset({S.UNDER_REVIEW}),
}
CLOSED = frozenset({S.SAFEGUARDED, S.REFERRED_NATIONAL, S.NOT_IDENTIFIABLE})  # off the queue until reopened
del S


class IllegalMove(ValueError):
    """A lifecycle move the table does not allow; the message names both statuses."""


def check_move(current: Status, to: Status) -> None:
    if to not in TRANSITIONS[current]:
        allowed = ", ".join(STATUS_LABELS[s] for s in sorted(TRANSITIONS[current])) or "nothing"
        raise IllegalMove(f"a series that is {STATUS_LABELS[current].lower()} cannot become "
                          f"{STATUS_LABELS[to].lower()} (allowed: {allowed})")


# ------------------------------------------------------------------------------------------------ queue ordering

# Age bands an officer may record when grading a series (youngest first). Winnow never grades images itself.
AGE_BANDS = (("infant", "Infant or toddler (0-2)"), ("prepubescent", "Prepubescent"), ("pubescent", "Pubescent"))
_AGE_RANK = {code: i for i, (code, _) in enumerate(AGE_BANDS)}
RECENT = timedelta(days=365 * 2)


@dataclass(frozen=True)
class Signals:
    """What the queue knows about one series, for one unit."""

    series: int
    members: int
    device_match: bool = False  # a seized exhibit's camera make/model matches the members' EXIF
    latest_capture: datetime | None = None
    access_start: datetime | None = None  # when the suspect's access to a child began, if recorded
    unknown_to_all: bool = True  # no member has been covered by any hash set since
    cases: int = 1  # referrals (across units) holding members
    youngest_age_band: str | None = None
    access_to_children: bool = False  # the latest assessment says the suspect has access to children


def recent_capture(s: Signals, now: datetime) -> bool:
    if s.latest_capture is None:
        return False
    if s.access_start is not None and s.latest_capture >= s.access_start:
        return True
    return s.latest_capture >= now - RECENT


def self_produced(s: Signals, now: datetime) -> bool:
    """Appears self-produced: made with a camera like one seized from the suspect, recently or since his access."""
    return s.device_match and recent_capture(s, now)


def order_key(s: Signals, now: datetime) -> tuple[int, ...]:
    """Smaller first. The order, stated on the page: appears self-produced; the suspect has access to children;
    captured recently (or after his access began); made with the seized camera; youngest age band recorded;
    unknown to every loaded set; seen in more than one case; then larger series, then older."""
    return (
        not self_produced(s, now),
        not s.access_to_children,
        not recent_capture(s, now),
        not s.device_match,
        _AGE_RANK.get(s.youngest_age_band or "", len(AGE_BANDS)),
        not s.unknown_to_all,
        not s.cases > 1,
        -s.members,
        s.series,
    )


def reasons(s: Signals, now: datetime) -> list[str]:
    out = []
    if self_produced(s, now):
        out.append("Appears self-produced: the seized device's camera matches and the capture is recent")
    if s.access_to_children:
        out.append("The suspect has access to children (assessment)")
    if recent_capture(s, now):
        out.append("Captured after the suspect's access to a child began" if s.access_start is not None
                   and s.latest_capture is not None and s.latest_capture >= s.access_start
                   else "Captured in the last two years")
    if s.device_match:
        out.append("A seized device's camera make and model match the EXIF")
    if s.youngest_age_band:
        out.append(f"Youngest age band recorded: {dict(AGE_BANDS)[s.youngest_age_band]}")
    if s.unknown_to_all:
        out.append("Unknown to every loaded hash set")
    if s.cases > 1:
        out.append(f"Seen in {s.cases} cases")
    return out


def ordered(signals: Sequence[Signals], now: datetime) -> list[Signals]:
    return sorted(signals, key=lambda s: order_key(s, now))
