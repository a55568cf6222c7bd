"""The queue's columns (priority_tier, deadline_at) have one writer: Referral.reprioritise.

Two checks: a behavioural one (every save that writes the columns through the use cases carries exactly what
reprioritise set, and that is what winnow.core.priority computes for the stored inputs), and a structural one
(no module outside referrals/models.py assigns them, passes them to create/update, or names them in update_fields).
"""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from winnow.core.priority import prioritise
from winnow.referrals.models import Referral, deadline_policy

COLUMNS = {"priority_tier", "deadline_at"}
WINNOW = Path(__file__).resolve().parents[2]
OWNER = WINNOW / "referrals" / "models.py"


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Record every Referral save that writes the queue columns, with what reprioritise last set on that row."""
    saves: list[tuple[Any, ...]] = []
    reprioritise, save = Referral.reprioritise, Referral.save

    def spy_reprioritise(self: Referral, **kwargs: Any) -> Any:
        priority = reprioritise(self, **kwargs)
        self._queue_set = (self.priority_tier, self.deadline_at)  # type: ignore[attr-defined]
        return priority

    def spy_save(self: Referral, *args: Any, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        if fields is None or COLUMNS & set(fields):
            written = (self.priority_tier, self.deadline_at)
            if self._state.adding or fields is not None:
                saves.append((self.reference, written, getattr(self, "_queue_set", None)))
            else:  # a full save of a loaded row must not carry columns that reprioritise did not set
                stored = Referral.objects.values_list("priority_tier", "deadline_at").get(pk=self.pk)
                saves.append((self.reference, written, getattr(self, "_queue_set", stored)))
        save(self, *args, **kwargs)

    monkeypatch.setattr(Referral, "reprioritise", spy_reprioritise)
    monkeypatch.setattr(Referral, "save", spy_save)
    return saves


def expected(referral: Referral) -> tuple[int, Any]:
    priority = prioritise(
        received_at=referral.current_received_at, immediate_danger=referral.current_danger, band=referral.band or None,
        decided_at=referral.band_decided_at, policy=deadline_policy(), actioned=referral.actioned_at is not None,
    )
    return priority.tier, priority.deadline_at


def test_it_writes_the_queue_columns_only_through_reprioritise(
    spied: list[tuple[Any, ...]], request: pytest.FixtureRequest, investigator: Any, handler: Any
) -> None:
    from winnow.referrals.services import referral_apply_band
    from winnow.workload.services import case_action_record

    referral = request.getfixturevalue("referral")  # recorded through the intake service, after the spy
    referral.refresh_from_db()
    assert referral.deadline_at is not None and (referral.priority_tier, referral.deadline_at) == expected(referral)

    referral_apply_band(actor=handler, referral=referral, band="high", decided_at=timezone.now(), why="test")
    assert (referral.priority_tier, referral.deadline_at) == expected(referral)

    occurred = max(referral.received_at, timezone.now() - timedelta(minutes=1))
    case_action_record(actor=investigator, referral=referral, kind="arrest", occurred_at=occurred)
    referral.refresh_from_db()
    assert referral.actioned_at is not None
    assert (referral.priority_tier, referral.deadline_at) == expected(referral)

    referral_apply_band(actor=handler, referral=referral, band=None, decided_at=None, why="withdrawn")
    assert (referral.priority_tier, referral.deadline_at) == expected(referral)

    assert len(spied) >= 4
    for reference, written, set_by_reprioritise in spied:
        assert written == set_by_reprioritise, f"{reference}: queue columns saved without Referral.reprioritise"


def _writes(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            found.extend(_assigned(node))
        elif isinstance(node, ast.Call):
            found.extend(_call_writes(node))
    return found


def _assigned(node: ast.Assign | ast.AugAssign | ast.AnnAssign) -> list[tuple[int, str]]:
    targets = list(node.targets) if isinstance(node, ast.Assign) else [node.target]
    return [
        (node.lineno, f"assigns .{part.attr}")
        for target in targets
        for part in ast.walk(target)
        if isinstance(part, ast.Attribute) and part.attr in COLUMNS
    ]


def _call_writes(node: ast.Call) -> list[tuple[int, str]]:
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    if name in {"filter", "exclude", "get", "order_by", "values", "values_list", "only", "defer"}:
        return []  # reads
    found = [(node.lineno, f"passes {k.arg}= to {name}()") for k in node.keywords if k.arg in COLUMNS]
    for keyword in node.keywords:
        if keyword.arg in {"update_fields", "fields"}:
            found.extend(
                (node.lineno, f"saves {const.value} via {keyword.arg}")
                for const in ast.walk(keyword.value)
                if isinstance(const, ast.Constant) and const.value in COLUMNS
            )
    if name == "setattr" and len(node.args) > 1:
        const = node.args[1]
        if isinstance(const, ast.Constant) and const.value in COLUMNS:
            found.append((node.lineno, f"setattr {const.value}"))
    return found


def test_no_module_but_the_referral_model_writes_the_queue_columns() -> None:
    offenders = []
    for path in sorted(WINNOW.rglob("*.py")):
        if path == OWNER or "migrations" in path.parts or "tests" in path.parts:
            continue
        for line, what in _writes(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(f"{path.relative_to(WINNOW.parent)}:{line}: {what}")
    assert offenders == [], "only Referral.reprioritise may write the queue columns:\n" + "\n".join(offenders)


def test_the_structural_check_finds_a_direct_write() -> None:
    sample = "r.priority_tier = 1\nReferral.objects.create(deadline_at=x)\nr.save(update_fields=['deadline_at'])\n"
    assert [what for _, what in _writes(ast.parse(sample))] == [
        "assigns .priority_tier", "passes deadline_at= to create()", "saves deadline_at via update_fields",
    ]
