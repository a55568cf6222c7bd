"""The audit trail's hash chains and their signed checkpoints.

Each event's hash covers its content and the previous event's hash in the same shard (one chain per unit, one for
events with no unit), keyed with HMAC-SHA256 so that whoever can write the database but does not hold the audit key
cannot recompute a chain. Checkpoints anchor the chains outside the database: a checkpoint records every shard's
head (sequence number and hash) at a time, signed with a second key, and links to the checkpoint before it, so the
checkpoint file cannot lose lines in the middle unnoticed either.

Editing, deleting or re-ordering any event breaks its shard's chain from that event on; truncating a shard or
deleting its newest events leaves it shorter than a checkpoint says. `verify` names the first broken link of one
shard; `read_checkpoints` checks a checkpoint file. Pure: plain mappings and strings, so the same code verifies a
database or an exported file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

GENESIS = "0" * 64
# Events written before the chains were keyed and split: one unkeyed SHA-256 chain, kept as it was and verified
# as it was; the first checkpoint anchors its head.
LEGACY_SHARD = "legacy"
GLOBAL_SHARD = "global"
CHAINED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_username",
    "action",
    "target_type",
    "target_id",
    "unit_id",
    "request_id",
    "detail",
)


def shard_for(unit_id: int | None) -> str:
    return GLOBAL_SHARD if unit_id is None else f"unit:{unit_id}"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(prev_hash: str, event: Mapping[str, Any], key: bytes | None = None) -> str:
    """HMAC-SHA256 under `key`; plain SHA-256 (the legacy chain) when key is None."""
    body = {name: event[name] for name in CHAINED_FIELDS}
    data = (prev_hash + "\n" + _canonical(body)).encode()
    if key is None:
        return hashlib.sha256(data).hexdigest()
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def without_nul(value: Any) -> Any:
    """The value with every NUL character (in strings and keys) replaced by U+FFFD. PostgreSQL's text and jsonb
    cannot hold NUL and SQLite can: replacing it before hashing stores and hashes the same thing on both."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [without_nul(v) for v in value]
    return value


@dataclass(frozen=True)
class ChainReport:
    """One shard's chain: how many events verified, where it broke and why, and its head."""

    checked: int
    broken_at: int | None = None
    reason: str = ""
    shard: str = ""
    head_seq: int = 0
    head_hash: str = GENESIS

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(
    events: Iterable[Mapping[str, Any]],
    *,
    key: bytes | None = None,
    shard: str = "",
    anchors: Mapping[int, tuple[int, str]] | None = None,
) -> ChainReport:
    """Check one shard's events in `seq` order; stop at the first broken link.

    `anchors` maps a sequence number to (checkpoint number, hash) for every checkpoint that recorded this shard:
    an event whose hash differs from its checkpoint's was rewritten, even if the chain itself is consistent."""
    anchors = anchors or {}
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    for event in events:
        seq = event["seq"]
        if seq != expected_seq:
            return ChainReport(checked, seq, f"sequence jumps from {expected_seq - 1} to {seq}: events are missing",
                               shard, expected_seq - 1, prev_hash)
        if event["prev_hash"] != prev_hash:
            return ChainReport(checked, seq, "its previous-hash does not match the hash of the event before it",
                               shard, seq - 1, prev_hash)
        if not hmac.compare_digest(event_hash(prev_hash, event, key), event["hash"]):
            return ChainReport(checked, seq, "its content no longer matches its hash: it was edited or its hash "
                               "was recomputed without the audit key", shard, seq - 1, prev_hash)
        if seq in anchors and anchors[seq][1] != event["hash"]:
            return ChainReport(checked, seq, f"checkpoint #{anchors[seq][0]} recorded a different hash for it: "
                               "the chain was rewritten from here on", shard, seq - 1, prev_hash)
        prev_hash = event["hash"]
        expected_seq += 1
        checked += 1
    return ChainReport(checked, None, "", shard, expected_seq - 1, prev_hash)


# ---------------------------------------------------------------------------------------------------- checkpoints


@dataclass(frozen=True)
class Checkpoint:
    number: int
    at: str  # ISO 8601, UTC
    heads: dict[str, tuple[int, str]]  # shard -> (sequence number, hash) of its newest event
    prev: str  # the previous checkpoint's signature (GENESIS for the first)
    signature: str


def _signed_body(number: int, at: str, heads: Mapping[str, tuple[int, str]], prev: str) -> bytes:
    return _canonical({"number": number, "at": at, "heads": {s: list(h) for s, h in heads.items()},
                       "prev": prev}).encode()


def checkpoint_sign(
    key: bytes, *, number: int, at: str, heads: Mapping[str, tuple[int, str]], prev: str
) -> Checkpoint:
    signature = hmac.new(key, _signed_body(number, at, heads, prev), hashlib.sha256).hexdigest()
    return Checkpoint(number, at, dict(heads), prev, signature)


def checkpoint_line(checkpoint: Checkpoint) -> str:
    """One line of the append-only checkpoint file (JSON, newline-terminated)."""
    return _canonical({
        "number": checkpoint.number, "at": checkpoint.at,
        "heads": {s: list(h) for s, h in checkpoint.heads.items()},
        "prev": checkpoint.prev, "signature": checkpoint.signature,
    }) + "\n"


@dataclass
class CheckpointFile:
    checkpoints: list[Checkpoint] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def last(self) -> Checkpoint | None:
        return self.checkpoints[-1] if self.checkpoints else None


def parse_checkpoint(raw: str) -> Checkpoint:
    """One line's fields, unchecked (ValueError, KeyError, TypeError… when it is not a checkpoint)."""
    data = json.loads(raw)
    heads = {str(s): (int(h[0]), str(h[1])) for s, h in data["heads"].items()}
    return Checkpoint(int(data["number"]), str(data["at"]), heads, str(data["prev"]), str(data["signature"]))


def read_checkpoints(lines: Iterable[str], key: bytes) -> CheckpointFile:
    """Parse and check a checkpoint file: every line signed with `key`, numbered 1, 2, 3, … and linked to the one
    before it. Problems name the line and the reason; checking stops at the first."""
    result = CheckpointFile()
    prev, expected = GENESIS, 1
    for line_number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            parsed = parse_checkpoint(raw)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
            result.problems.append(f"checkpoint file line {line_number} is not a checkpoint ({error})")
            return result
        number, link = parsed.number, parsed.prev
        good = checkpoint_sign(key, number=number, at=parsed.at, heads=parsed.heads, prev=link).signature
        if not hmac.compare_digest(good, parsed.signature):
            result.problems.append(f"checkpoint file line {line_number} (checkpoint #{number}): its signature does "
                                   "not match: it was edited or signed with another key")
            return result
        if number != expected or link != prev:
            result.problems.append(f"checkpoint file line {line_number}: checkpoint #{number} does not follow "
                                   f"checkpoint #{expected - 1}: checkpoints were removed or re-ordered")
            return result
        result.checkpoints.append(parsed)
        prev, expected = parsed.signature, expected + 1
    return result


def anchors_by_shard(checkpoints: Iterable[Checkpoint]) -> dict[str, dict[int, tuple[int, str]]]:
    """shard -> {sequence number: (checkpoint number, hash)} over every checkpoint."""
    out: dict[str, dict[int, tuple[int, str]]] = {}
    for checkpoint in checkpoints:
        for shard, (seq, digest) in checkpoint.heads.items():
            out.setdefault(shard, {})[seq] = (checkpoint.number, digest)
    return out
