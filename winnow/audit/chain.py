"""The audit chains' keys, their checkpoints outside the database, and the whole-trail verification.

Keys come from settings (WINNOW_AUDIT_KEY, WINNOW_CHECKPOINT_KEY), never from the database. Checkpoints are lines
appended to the file WINNOW_AUDIT_CHECKPOINT_PATH names (put it on storage the database's owner cannot rewrite:
another machine's mount, a WORM share); each records every shard's head and is signed and linked to the one before.
They are written after the commit of any event that leaves its shard WINNOW_AUDIT_CHECKPOINT_EVERY events past the
last checkpoint, when the last checkpoint is older than WINNOW_AUDIT_CHECKPOINT_MINUTES (by the next event, or by
the task worker's heartbeat), and by `winnow audit-checkpoint`.

`trail_verify` fails, naming the shard, the event and the reason, on: an empty trail; a gap in a shard's sequence;
an event whose content or links no longer match its keyed hash; an event whose hash differs from what a checkpoint
recorded (a chain recomputed even with the audit key); a shard shorter than a checkpoint says (TRUNCATE, deleting
the newest events); events left without a checkpoint beyond the limits above (a checkpoint file removed or
withheld); a checkpoint file that is edited, re-ordered or signed with another key; and, on the live database, a
permanence guard trigger that is missing or disabled.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import os
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Min
from django.utils import timezone

from winnow import permanence
from winnow.core.auditchain import (
    LEGACY_SHARD,
    ChainReport,
    Checkpoint,
    anchors_by_shard,
    checkpoint_line,
    checkpoint_sign,
    parse_checkpoint,
    read_checkpoints,
    verify,
)

from .models import AuditEvent

_CHAIN_LOCK_CLASS = 0x57494E4E  # "WINN": the first half of every shard's advisory lock key (PostgreSQL)


def _key(value: str, label: str) -> bytes:
    if value:
        return value.encode()
    # Development and tests: derived from SECRET_KEY (production refuses to start without explicit keys).
    return hmac.new(settings.SECRET_KEY.encode(), f"winnow-{label}-key".encode(), hashlib.sha256).digest()


def audit_key() -> bytes:
    return _key(settings.WINNOW_AUDIT_KEY, "audit")


def checkpoint_key() -> bytes:
    return _key(settings.WINNOW_CHECKPOINT_KEY, "checkpoint")


def shard_lock(shard: str) -> None:
    """Serialise appends to one shard (PostgreSQL: a transaction-scoped advisory lock; other shards go on in
    parallel). SQLite serialises every writer with IMMEDIATE transactions already."""
    if connection.vendor == "postgresql":
        objid = zlib.crc32(shard.encode()) - 2**31  # into int4
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_CHAIN_LOCK_CLASS, objid])


# ------------------------------------------------------------------------------------------------- checkpoints


def checkpoint_path() -> Path:
    return Path(settings.WINNOW_AUDIT_CHECKPOINT_PATH)


def read_checkpoint_file() -> Any:
    path = checkpoint_path()
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return read_checkpoints(lines, checkpoint_key())


def shard_heads() -> dict[str, tuple[int, str]]:
    """shard -> (seq, hash) of its newest committed event."""
    heads = {}
    for row in AuditEvent.objects.order_by().values("shard").annotate(last=Max("seq")):
        digest = AuditEvent.objects.filter(shard=row["shard"], seq=row["last"]).values_list("hash", flat=True).get()
        heads[row["shard"]] = (row["last"], digest)
    return heads


def _last_line(handle: Any) -> str:
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(max(0, size - 65536))
    lines = [line for line in handle.read().splitlines() if line.strip()]
    return lines[-1] if lines else ""


@dataclass
class _Seen:
    """What this process last saw of the checkpoint file (re-read when its size or time changes)."""

    stat: tuple[int, int] | None = None
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)
    at: datetime | None = None


_SEEN = _Seen()


def _parse_tail(raw: str) -> Checkpoint | None:
    """The last checkpoint's fields, for numbering and linking the next (trail_verify checks its signature)."""
    try:
        return parse_checkpoint(raw) if raw else None
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def checkpoint_write(*, now: datetime | None = None) -> Checkpoint:
    """Append a signed checkpoint of every shard's head, under an exclusive lock on the file."""
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            last = _parse_tail(_last_line(handle))
            at = (now or timezone.now()).astimezone(UTC).isoformat()
            checkpoint = checkpoint_sign(
                checkpoint_key(), number=(last.number + 1) if last else 1, at=at, heads=shard_heads(),
                prev=last.signature if last else "0" * 64,
            )
            handle.seek(0, os.SEEK_END)
            handle.write(checkpoint_line(checkpoint))
            handle.flush()
            os.fsync(handle.fileno())
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    _remember(checkpoint)
    return checkpoint


def _remember(checkpoint: Checkpoint) -> None:
    _SEEN.heads = dict(checkpoint.heads)
    _SEEN.at = datetime.fromisoformat(checkpoint.at)
    try:
        st = checkpoint_path().stat()
        _SEEN.stat = (st.st_size, st.st_mtime_ns)
    except OSError:
        _SEEN.stat = None


def _refresh_seen() -> None:
    path = checkpoint_path()
    try:
        st = path.stat()
    except OSError:
        _SEEN.stat, _SEEN.heads, _SEEN.at = None, {}, None
        return
    if _SEEN.stat == (st.st_size, st.st_mtime_ns):
        return
    with path.open("r", encoding="utf-8") as handle:
        last = _parse_tail(_last_line(handle))
    _SEEN.stat = (st.st_size, st.st_mtime_ns)
    _SEEN.heads = dict(last.heads) if last else {}
    _SEEN.at = datetime.fromisoformat(last.at) if last else None


def checkpoint_due(shard: str, seq: int, *, now: datetime | None = None) -> bool:
    _refresh_seen()
    now = now or timezone.now()
    if seq - _SEEN.heads.get(shard, (0, ""))[0] >= settings.WINNOW_AUDIT_CHECKPOINT_EVERY:
        return True
    if _SEEN.heads.get(shard, (0, ""))[0] == seq:
        return False
    return _SEEN.at is None or now - _SEEN.at >= timedelta(minutes=settings.WINNOW_AUDIT_CHECKPOINT_MINUTES)


def checkpoint_if_due(shard: str, seq: int) -> None:
    """After an event's commit: write a checkpoint when its shard or the clock has gone far enough."""
    if checkpoint_due(shard, seq):
        checkpoint_write()


def checkpoint_if_stale(*, now: datetime | None = None) -> Checkpoint | None:
    """For the worker's heartbeat: a checkpoint when some shard has moved on and the last is old enough."""
    _refresh_seen()
    now = now or timezone.now()
    if _SEEN.at is not None and now - _SEEN.at < timedelta(minutes=settings.WINNOW_AUDIT_CHECKPOINT_MINUTES):
        return None
    heads = shard_heads()
    if heads and heads != _SEEN.heads:
        return checkpoint_write(now=now)
    return None


# ------------------------------------------------------------------------------------------------ verification


@dataclass
class TrailReport:
    shards: list[ChainReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    checkpoints: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def checked(self) -> int:
        return sum(r.checked for r in self.shards)

    @property
    def broken_at(self) -> int | None:
        return next((r.broken_at for r in self.shards if not r.ok), None)

    @property
    def reason(self) -> str:
        return self.problems[0] if self.problems else ""


def _guard_problems() -> list[str]:
    wanted = set(permanence.wanted(connection))
    present = permanence.installed(connection)
    problems = [f"guard trigger {name} on {table} is missing" for table, name in sorted(wanted - present)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_proc p ON p.oid = t.tgfoid "
                "WHERE NOT t.tgisinternal AND n.nspname = current_schema() AND left(p.proname, 7) = 'winnow_' "
                "AND t.tgenabled NOT IN ('O', 'A') ORDER BY 1, 2"
            )
            problems += [f"guard trigger {name} on {table} is disabled" for table, name in cursor.fetchall()]
    return problems


def _uncovered_problems(anchored: dict[str, int], now: datetime) -> list[str]:
    problems = []
    every, minutes = settings.WINNOW_AUDIT_CHECKPOINT_EVERY, settings.WINNOW_AUDIT_CHECKPOINT_MINUTES
    # Twice the interval: the heartbeat or the next event writes the checkpoint, give it time to.
    too_old = now - timedelta(minutes=2 * minutes)
    for shard in AuditEvent.objects.order_by().values_list("shard", flat=True).distinct():
        rows = AuditEvent.objects.filter(shard=shard, seq__gt=anchored.get(shard, 0)).aggregate(
            n=Count("id"), oldest=Min("occurred_at"), first=Min("seq"))
        if not rows["n"]:
            continue
        if rows["n"] > every:
            problems.append(f"shard {shard}: {rows['n']} events from #{rows['first']} have no checkpoint (at most "
                            f"{every} may wait for one): a checkpoint is missing")
        elif rows["oldest"] < too_old:
            problems.append(f"shard {shard}: event #{rows['first']} and later have had no checkpoint since "
                            f"{rows['oldest']:%Y-%m-%d %H:%M} UTC (more than {2 * minutes} minutes): a checkpoint is "
                            "missing (is the worker running? `winnow audit-checkpoint` writes one)")
    return problems


def trail_verify(*, chunk_size: int = 5000, now: datetime | None = None, guards: bool = True) -> TrailReport:
    """Verify every shard against its keyed chain and every checkpoint; see the module docstring for the checks."""
    now = now or timezone.now()
    report = TrailReport()
    file = read_checkpoint_file()
    report.problems += file.problems
    report.checkpoints = len(file.checkpoints)
    anchors = anchors_by_shard(file.checkpoints)
    shards = set(AuditEvent.objects.order_by().values_list("shard", flat=True).distinct())
    if not shards:
        recorded = sum(seq for cp in file.checkpoints[-1:] for seq, _ in cp.heads.values())
        report.problems.append("the audit trail is empty" + (
            f", but checkpoint #{file.last.number} recorded {recorded} events: it was truncated" if recorded else ""))
    key = audit_key()
    for shard in sorted(shards | set(anchors)):
        events = AuditEvent.objects.filter(shard=shard).order_by("seq").iterator(chunk_size=chunk_size)
        shard_report = verify((e.chained() for e in events), key=None if shard == LEGACY_SHARD else key,
                              shard=shard, anchors=anchors.get(shard))
        report.shards.append(shard_report)
        if not shard_report.ok:
            report.problems.append(f"shard {shard}: broken at event #{shard_report.broken_at}: {shard_report.reason}")
            continue
        if anchors.get(shard):
            top = max(anchors[shard])
            if shard_report.head_seq < top:
                number = anchors[shard][top][0]
                report.problems.append(
                    f"shard {shard}: the chain is shorter than checkpoint #{number} records (it ends at event "
                    f"#{shard_report.head_seq}, the checkpoint saw #{top}): events were deleted or truncated")
    anchored = {shard: max(seqs) for shard, seqs in anchors.items()}
    report.problems += _uncovered_problems(anchored, now)
    if guards:
        report.problems += _guard_problems()
    return report
