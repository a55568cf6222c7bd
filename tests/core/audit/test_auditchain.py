"""winnow.core.auditchain without a database: keyed chains, legacy chains, checkpoint files."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from winnow.core.auditchain import (
    GENESIS,
    anchors_by_shard,
    checkpoint_line,
    checkpoint_sign,
    event_hash,
    read_checkpoints,
    verify,
    without_nul,
)

KEY = b"k" * 32


def _chain(n: int, key: bytes | None) -> list[dict[str, Any]]:
    events, prev = [], GENESIS
    for seq in range(1, n + 1):
        event = {"seq": seq, "occurred_at": f"2026-12-01T10:00:{seq:02d}+00:00", "actor_id": None,
                 "actor_username": "system", "action": "referral.read", "target_type": "referral",
                 "target_id": str(seq), "unit_id": 1, "request_id": "r", "detail": {"n": seq}, "prev_hash": prev}
        event["hash"] = prev = event_hash(prev, event, key)
        events.append(event)
    return events


def test_it_verifies_a_keyed_chain_only_with_its_key() -> None:
    events = _chain(5, KEY)
    assert verify(events, key=KEY).ok
    assert verify(events, key=b"x" * 32).broken_at == 1
    assert verify(events, key=None).broken_at == 1


def test_it_still_verifies_a_legacy_unkeyed_chain() -> None:
    assert verify(_chain(5, None), key=None).ok


def test_it_names_an_event_that_disagrees_with_its_checkpoint() -> None:
    events = _chain(5, KEY)
    report = verify(events, key=KEY, anchors={3: (7, "f" * 64)})
    assert (report.broken_at, report.checked) == (3, 2) and "checkpoint #7" in report.reason


def test_it_reads_a_linked_signed_checkpoint_file_and_refuses_a_forged_line() -> None:
    one = checkpoint_sign(KEY, number=1, at="2026-12-01T10:00:00+00:00", heads={"unit:1": (5, "a" * 64)}, prev=GENESIS)
    two = checkpoint_sign(KEY, number=2, at="2026-12-01T10:10:00+00:00", heads={"unit:1": (9, "b" * 64)},
                          prev=one.signature)
    lines = [checkpoint_line(one), checkpoint_line(two)]
    good = read_checkpoints(lines, KEY)
    assert not good.problems and [c.number for c in good.checkpoints] == [1, 2]
    assert anchors_by_shard(good.checkpoints) == {"unit:1": {5: (1, "a" * 64), 9: (2, "b" * 64)}}
    assert "signature does not match" in read_checkpoints(lines, b"x" * 32).problems[0]
    assert "does not follow checkpoint #0" in read_checkpoints(lines[1:], KEY).problems[0]
    assert "is not a checkpoint" in read_checkpoints(["{"], KEY).problems[0]


@given(st.recursive(st.text() | st.integers() | st.none(),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                    max_leaves=10))
def test_it_leaves_no_nul_anywhere(value: Any) -> None:
    def strings(v: Any) -> list[str]:
        if isinstance(v, str):
            return [v]
        if isinstance(v, dict):
            return [s for k, x in v.items() for s in strings(k) + strings(x)]
        if isinstance(v, list):
            return [s for x in v for s in strings(x)]
        return []

    assert not any("\x00" in s for s in strings(without_nul(value)))
