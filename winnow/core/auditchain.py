"""The audit trail's hash chain: each event's hash covers its content and the previous event's hash.

Editing, deleting or re-ordering any event breaks the chain from that event on, and `verify` names the first
broken link. Pure: it works on plain mappings, so the same code verifies a database or an exported file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
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


def event_hash(prev_hash: str, event: Mapping[str, Any]) -> str:
    body = {name: event[name] for name in CHAINED_FIELDS}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256((prev_hash + "\n" + canonical).encode()).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(events: Iterable[Mapping[str, Any]]) -> ChainReport:
    """Check events in `seq` order; stop at the first broken link."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    for event in events:
        seq = event["seq"]
        if seq != expected_seq:
            return ChainReport(checked, seq, f"sequence jumps from {expected_seq - 1} to {seq}: events are missing")
        if event["prev_hash"] != prev_hash:
            return ChainReport(checked, seq, "its previous-hash does not match the hash of the event before it")
        if event_hash(prev_hash, event) != event["hash"]:
            return ChainReport(checked, seq, "its content no longer matches its hash: it was edited")
        prev_hash = event["hash"]
        expected_seq += 1
        checked += 1
    return ChainReport(checked)
