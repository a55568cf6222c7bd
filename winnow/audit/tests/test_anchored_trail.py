"""The anchored audit trail: keyed chains per unit, signed checkpoints outside the database, and `audit-verify`
catching what a database owner could do (truncate, delete the newest events, disable the triggers, recompute every
hash) with the reason."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from winnow import permanence
from winnow.audit.chain import audit_key, checkpoint_write, read_checkpoint_file
from winnow.audit.models import AuditEvent
from winnow.audit.services import AuditAction, audit_record, audit_verify
from winnow.core.auditchain import event_hash


def _events(unit: Any, n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            audit_record(actor=None, action=AuditAction.REFERRAL_READ, unit_id=unit.pk if unit else None,
                         target_type="referral", target_id=str(i), detail={"i": i})


def _raw(sql: str, params: list[Any] | None = None) -> None:
    """A database owner at work: guards lifted, a statement run, guards put back."""
    permanence.uninstall(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params or [])
    finally:
        permanence.install(connection)


def _verify_fails(match: str) -> str:
    report = audit_verify()
    assert not report.ok
    assert any(match in problem for problem in report.problems), report.problems
    err = StringIO()
    with pytest.raises(CommandError, match="audit trail not intact"):
        call_command("audit-verify", stdout=StringIO(), stderr=err)
    assert match in err.getvalue()
    return err.getvalue()


@pytest.fixture
def trail(units: dict[str, Any]) -> dict[str, Any]:
    """60 events in Northmoor, 5 in Eastvale, 3 with no unit, then a checkpoint."""
    _events(units["north"], 60)
    _events(units["east"], 5)
    _events(None, 3)
    checkpoint_write()
    return units


def test_it_keeps_one_chain_per_unit(trail: dict[str, Any]) -> None:
    north, east = trail["north"].pk, trail["east"].pk
    shards = dict(AuditEvent.objects.order_by().values_list("shard").annotate(n=Max("seq")))
    assert shards == {f"unit:{north}": 60, f"unit:{east}": 5, "global": 3}
    report = audit_verify()
    assert report.ok, report.problems
    assert (report.checked, len(report.shards), report.checkpoints) == (68, 3, 1)
    out = StringIO()
    call_command("audit-verify", stdout=out)
    assert out.getvalue().strip() == "audit trail intact: 68 events verified in 3 shard(s) against 1 checkpoint(s)"


def test_it_keys_each_hash_so_a_recomputed_hash_without_the_key_fails(trail: dict[str, Any]) -> None:
    event = AuditEvent.objects.get(shard=f"unit:{trail['north'].pk}", seq=10)
    assert event_hash(event.prev_hash, event.chained(), audit_key()) == event.hash
    forged = event_hash(event.prev_hash, event.chained() | {"actor_username": "someone.else"})  # plain SHA-256
    _raw("UPDATE audit_auditevent SET actor_username = %s, hash = %s WHERE id = %s",
         ["someone.else", forged, event.pk])
    _verify_fails(f"shard unit:{trail['north'].pk}: broken at event #10: its content no longer matches its hash")


def test_it_catches_a_chain_recomputed_with_the_key_against_the_checkpoint(trail: dict[str, Any]) -> None:
    """Even someone who has the audit key and rewrites event 10 and every later hash is caught: checkpoint #1
    holds the old head."""
    shard = f"unit:{trail['north'].pk}"
    events = list(AuditEvent.objects.filter(shard=shard).order_by("seq"))
    prev = events[8].hash
    for event in events[9:]:
        values = event.chained() | ({"action": "referral.nothing"} if event.seq == 10 else {})
        digest = event_hash(prev, values, audit_key())
        _raw("UPDATE audit_auditevent SET action = %s, prev_hash = %s, hash = %s WHERE id = %s",
             [values["action"], prev, digest, event.pk])
        prev = digest
    _verify_fails(f"shard {shard}: broken at event #60: checkpoint #1 recorded a different hash for it")


def test_it_catches_a_truncated_trail(trail: dict[str, Any]) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # TRUNCATE fires no row trigger: the owner can, the app role cannot
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own inserts leave deferred FK checks
            cursor.execute("TRUNCATE audit_auditevent")
    else:
        _raw("DELETE FROM audit_auditevent")
    _verify_fails("the audit trail is empty, but checkpoint #1 recorded 68 events: it was truncated")


def test_it_catches_the_newest_events_deleted(trail: dict[str, Any]) -> None:
    shard = f"unit:{trail['north'].pk}"
    _raw("DELETE FROM audit_auditevent WHERE shard = %s AND seq > 10", [shard])
    _verify_fails(f"shard {shard}: the chain is shorter than checkpoint #1 records (it ends at event #10, "
                  "the checkpoint saw #60)")


def test_it_catches_a_gap_in_the_sequence(trail: dict[str, Any]) -> None:
    shard = f"unit:{trail['east'].pk}"
    _raw("DELETE FROM audit_auditevent WHERE shard = %s AND seq = 3", [shard])
    _verify_fails(f"shard {shard}: broken at event #4: sequence jumps from 2 to 4: events are missing")


def test_it_catches_a_disabled_or_dropped_guard_trigger(trail: dict[str, Any]) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER winnow_guard_delete")
        _verify_fails("guard trigger winnow_guard_delete on audit_auditevent is disabled")
    else:  # SQLite cannot disable a trigger, only drop it
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER winnow_guard_audit_auditevent_delete")
        _verify_fails("guard trigger winnow_guard_audit_auditevent_delete on audit_auditevent is missing")


def test_it_catches_events_left_without_a_checkpoint(units: dict[str, Any], settings: Any) -> None:
    settings.WINNOW_AUDIT_CHECKPOINT_EVERY = 20
    _events(units["north"], 21)  # on_commit never runs inside the test's transaction: no checkpoint written
    _verify_fails(f"shard unit:{units['north'].pk}: 21 events from #1 have no checkpoint (at most 20 may wait for "
                  "one): a checkpoint is missing")


def test_it_catches_old_events_left_without_a_checkpoint(units: dict[str, Any], settings: Any) -> None:
    _events(units["north"], 2)
    report = audit_verify(now=timezone.now() + timedelta(minutes=2 * settings.WINNOW_AUDIT_CHECKPOINT_MINUTES + 1))
    assert not report.ok and "a checkpoint is missing (is the worker running?" in report.reason
    assert audit_verify().ok  # within the interval, waiting for a checkpoint is normal


def test_it_catches_an_edited_checkpoint(trail: dict[str, Any], audit_checkpoints: Path) -> None:
    line = json.loads(audit_checkpoints.read_text())
    shard = f"unit:{trail['north'].pk}"
    line["heads"][shard][0] = 10
    audit_checkpoints.write_text(json.dumps(line) + "\n")
    _verify_fails("checkpoint file line 1 (checkpoint #1): its signature does not match")


def test_it_catches_a_checkpoint_removed_from_the_middle(trail: dict[str, Any], audit_checkpoints: Path) -> None:
    _events(trail["north"], 1)
    checkpoint_write()
    _events(trail["north"], 1)
    checkpoint_write()
    lines = audit_checkpoints.read_text().splitlines(keepends=True)
    audit_checkpoints.write_text(lines[0] + lines[2])
    _verify_fails("checkpoint file line 2: checkpoint #3 does not follow checkpoint #1")


def test_it_fails_on_an_empty_trail(db: Any) -> None:
    _verify_fails("the audit trail is empty")


def test_it_writes_a_checkpoint_after_every_n_events_of_a_shard(
    units: dict[str, Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.WINNOW_AUDIT_CHECKPOINT_EVERY = 5
    settings.WINNOW_AUDIT_CHECKPOINT_MINUTES = 60
    for _ in range(12):  # each event its own commit
        with django_capture_on_commit_callbacks(execute=True):
            _events(units["north"], 1)
    checkpoints = read_checkpoint_file().checkpoints
    # The first event (no checkpoint yet), then events 6 and 11 of the shard.
    assert [cp.heads[f"unit:{units['north'].pk}"][0] for cp in checkpoints] == [1, 6, 11]
    assert audit_verify().ok


def test_it_stores_and_hashes_nul_the_same_on_both_databases(units: dict[str, Any]) -> None:
    with transaction.atomic():
        event = audit_record(actor=None, action=AuditAction.AUDIT_SEARCH, unit_id=None,
                             detail={"q": "a\x00b", "k\x00": ["\x00"]})
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.detail == {"q": "a\ufffdb", "k\ufffd": ["\ufffd"]}
    assert audit_verify().ok


def test_the_audit_checkpoint_command_anchors_every_shard(trail: dict[str, Any]) -> None:
    out = StringIO()
    call_command("audit-checkpoint", stdout=out)
    assert "checkpoint #2 written" in out.getvalue() and "3 shard(s), 68 events" in out.getvalue()
