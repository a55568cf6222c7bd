"""Invariant 1, for every model at once: what Winnow keeps forever is a PermanentModel, and every permanent model
refuses edits and deletes in Python (ImmutableError, before any query) and in the database (generated triggers,
against raw SQL), on whichever database the suite runs on.

The models are read from the app registry, so a new model is checked without editing this file; a new model that
looks permanent but is not fails `test_it_keeps_every_permanent_looking_model_permanent` until it is made permanent
or allow-listed below with its reason.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import re
import sys
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError, connection, models, transaction
from django.test.utils import CaptureQueriesContext, isolate_apps
from django.utils import timezone

from winnow import permanence
from winnow.permanence import ImmutableError, PermanentModel, PermanentQuerySet

PERMANENT = permanence.permanent_models()

# Names that say "a record of something that happened": such a model must be permanent.
PERMANENT_LOOKING = re.compile(
    r"referral|subject|identifier|assessment|decision|contact|exhibit|scan|result|audit|event|notification|link"
    r"|merge|membership|person|plan|review|hash|summary|package|batch|status|change|assignment|action|report"
    r"|document|offender|confirmation|undo|visit|seizure|outcome|series|alert|closure|follow|conviction"
    r"|correction|answer|rating|coding|export|disclosure|victim|intake|record|elsewhere|upload|import",
    re.IGNORECASE,
)

# Winnow models that change in place on purpose, each with its reason. (Django's own and third-party apps' models
# are not Winnow's records: models defined outside `winnow.` are not judged here.)
MUTABLE = {
    "accounts.User": "a person's account: name, password, active flag and sign-in times change; reads and changes "
                     "of people's data are audited as AuditEvents",
    "accounts.Unit": "a force team; its name can be corrected",
    "accounts.Membership": "a person's role in a unit: granted and revoked by administrators (audited)",
    "accounts.ApiToken": "a credential: revoked and stamped with its last use",
    "referrals.ReferenceCounter": "hands out reference numbers: its counter moves on with every referral",
    "research.RereferralCase": "derived: re-referral events recomputed from referrals, case facts and linkage "
                               "decisions (winnow trends-rebuild rebuilds it); the facts themselves are permanent",
    "research.RereferralState": "derived: how far the re-referral events have counted linkage decisions",
}


def _label(model: Any) -> str:
    return str(model._meta.label)


def _is_winnow(model: Any) -> bool:
    return str(model.__module__).startswith("winnow.")


# -------------------------------------------------------------------------------------------- the registry


def test_it_keeps_every_permanent_looking_model_permanent() -> None:
    uncovered = [
        _label(model) for model in apps.get_models()
        if _is_winnow(model) and PERMANENT_LOOKING.search(model.__name__)
        and not issubclass(model, PermanentModel) and _label(model) not in MUTABLE
    ]
    assert not uncovered, f"make these PermanentModels, or allow-list them in MUTABLE with a reason: {uncovered}"


def test_it_allow_lists_only_mutable_models_that_exist() -> None:
    models_by_label = {_label(m): m for m in apps.get_models()}
    for label, reason in MUTABLE.items():
        assert label in models_by_label, f"{label} is allow-listed but no longer exists"
        assert not issubclass(models_by_label[label], PermanentModel), f"{label} is permanent: drop it from MUTABLE"
        assert reason.strip()


def test_it_has_no_removable_join_rows_on_permanent_models() -> None:
    for model in apps.get_models(include_auto_created=True):
        if model._meta.auto_created:
            joined = [f.related_model for f in model._meta.concrete_fields if f.is_relation]
            assert not any(issubclass(m, PermanentModel) for m in joined), _label(model)


def test_it_finds_the_permanent_models_in_the_registry() -> None:
    labels = {_label(m) for m in PERMANENT}
    assert {"audit.AuditEvent", "referrals.Referral", "assessments.Assessment", "assessments.BandDecision"} <= labels
    assert all(issubclass(m.objects._queryset_class, PermanentQuerySet) for m in PERMANENT)


def test_it_passes_its_own_system_checks() -> None:
    assert [e for m in PERMANENT for e in permanence.check_model(m)] == []


@isolate_apps("winnow.audit")
def test_it_flags_a_permanent_model_the_base_class_cannot_protect() -> None:
    class Loose(PermanentModel):
        corrects = models.ForeignKey("self", null=True, on_delete=models.CASCADE, related_name="+")
        related = models.ManyToManyField("self")
        mutable_fields = frozenset({"nothing_here"})
        objects = models.Manager()

        class Meta:
            app_label = "audit"

    assert sorted(e.id for e in permanence.check_model(Loose)) == [
        "winnow.E101", "winnow.E102", "winnow.E103", "winnow.E104"]


def test_it_imports_only_django_and_the_standard_library() -> None:
    """winnow.permanence sits below every app: it may not import one (nor anything else of Winnow)."""
    tree = ast.parse(inspect.getsource(permanence))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    for name in imported:
        top = name.split(".")[0]
        assert top == "django" or top in sys.stdlib_module_names or name == "__future__", name


# ------------------------------------------------------------------------------------------------ test rows


class Rows:
    """Makes a valid row of any model, and a different valid value for any of its columns, from the fields alone.
    Rows a row needs (its unit, its referral, ...) are made once and shared; a second relation to the same model in
    one row gets a row of its own (e.g. a link proposal's two subjects)."""

    def __init__(self) -> None:
        self.n = itertools.count(1)
        self.shared: dict[Any, Any] = {}

    def make(self, model: Any) -> Any:
        values: dict[str, Any] = {}
        targets_used: set[Any] = set()
        for field in model._meta.concrete_fields:
            if field.primary_key and isinstance(field, models.AutoField | models.BigAutoField | models.SmallAutoField):
                continue
            if field.has_default() or field.null:
                continue
            if field.is_relation:
                target = field.related_model
                fresh = field.one_to_one or target in targets_used
                targets_used.add(target)
                values[field.attname] = (self.make(target) if fresh else self._shared(target)).pk
            else:
                values[field.attname] = self.value(field)
        return model.objects.create(**values)

    def _shared(self, model: Any) -> Any:
        if model not in self.shared:
            self.shared[model] = self.make(model)
        return self.shared[model]

    def value(self, field: Any, current: Any = None) -> Any:
        """A value for the column, different from `current`."""
        n = next(self.n)
        if field.is_relation:
            return self.make(field.related_model).pk
        if field.choices:
            others = [value for value, _ in field.flatchoices if value != current]
            if others:
                return others[0]
        kind = field.get_internal_type()
        if kind in ("CharField", "TextField", "SlugField", "EmailField"):
            return f"{n}"[-(field.max_length or 40):]
        if kind == "BooleanField":
            return not current
        if kind == "FloatField":
            return (current or 0) + n + 0.5
        if kind == "DecimalField":
            return Decimal(n)
        if kind == "DateTimeField":
            return (current or timezone.now()) + timedelta(days=n)
        if kind == "DateField":
            return (current or date(2026, 1, 1)) + timedelta(days=n)
        if kind == "JSONField":
            return {"n": n}
        if kind == "BinaryField":
            return f"{n}".encode()
        if "Integer" in kind or "AutoField" in kind:
            return (current or 0) + (1_000_000 if field.primary_key else n)
        if kind == "UUIDField":
            return uuid.uuid4()
        raise NotImplementedError(f"no test value for {kind} ({field})")


@pytest.fixture
def rows(db: Any) -> Rows:
    return Rows()


def _fixed(model: Any) -> list[Any]:
    return [f for f in model._meta.concrete_fields if f.name not in model.mutable_fields]


def _mutable(model: Any) -> list[Any]:
    return [model._meta.get_field(name) for name in sorted(model.mutable_fields)]


def _stored(model: Any, pk: Any) -> dict[str, Any]:
    return dict(model.objects.filter(pk=pk).values().get())


# ---------------------------------------------------------------------------------------------------- the ORM


@pytest.mark.parametrize("model", PERMANENT, ids=_label)
def test_it_refuses_orm_edits_and_deletes_before_the_database(rows: Rows, model: Any) -> None:
    row = rows.make(model)
    before = _stored(model, row.pk)
    column = next(f for f in _fixed(model) if not f.primary_key)
    same = {column.attname: getattr(row, column.attname)}
    refusals = {
        "save() of an existing row": lambda: row.save(),
        "save(update_fields=fixed)": lambda: row.save(update_fields=[column.name]),
        "save(force_update=True)": lambda: row.save(force_update=True),
        "QuerySet.update()": lambda: model.objects.filter(pk=row.pk).update(**same),
        "bulk_update()": lambda: model.objects.bulk_update([row], [column.name]),
        "update_or_create()": lambda: model.objects.update_or_create(pk=row.pk, defaults=same),
        "bulk_create(update_conflicts=True)": lambda: model.objects.bulk_create(
            [row], update_conflicts=True, update_fields=[column.name], unique_fields=["pk"]),
    }
    if not model.deletable:
        refusals |= {
            "Model.delete()": lambda: row.delete(),
            "QuerySet.delete()": lambda: model.objects.filter(pk=row.pk).delete(),
        }
    for manager in model._meta.managers:
        refusals[f"{manager.name}.update()"] = lambda m=manager: m.all().update(**same)
        if not model.deletable:
            refusals[f"{manager.name}.delete()"] = lambda m=manager: m.all().delete()
    for what, refuse in refusals.items():
        with CaptureQueriesContext(connection) as queries, pytest.raises(ImmutableError, match=model.__name__):
            refuse()
        assert not queries.captured_queries, f"{what} reached the database"
    assert _stored(model, row.pk) == before


@pytest.mark.parametrize("model", [m for m in PERMANENT if m.mutable_fields], ids=_label)
def test_it_lets_the_declared_columns_change_through_the_orm(rows: Rows, model: Any) -> None:
    row = rows.make(model)
    for field in _mutable(model):
        setattr(row, field.attname, rows.value(field, getattr(row, field.attname)))
        row.save(update_fields=[field.name])
        model.objects.filter(pk=row.pk).update(**{field.attname: rows.value(field, getattr(row, field.attname))})
        row.refresh_from_db()


def test_it_still_inserts_new_rows_only_as_new_rows(rows: Rows) -> None:
    """A new object whose primary key is already taken is an insert that fails, never an update of that row."""
    from django.db import IntegrityError

    from winnow.audit.models import AuditEvent

    event = rows.make(AuditEvent)
    copy = AuditEvent(**{f.attname: getattr(event, f.attname) for f in AuditEvent._meta.concrete_fields})
    copy.action = "rewritten"
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    assert AuditEvent.objects.get(pk=event.pk).action == event.action


# ----------------------------------------------------------------------------------------------- raw SQL


def _db_pk(model: Any, row: Any) -> Any:
    """The primary key as the database stores it (a UUID is a string of hex digits on SQLite)."""
    return model._meta.pk.get_db_prep_value(row.pk, connection)


def _raw(sql: str, params: list[Any]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize("model", PERMANENT, ids=_label)
def test_it_refuses_raw_sql_edits_and_deletes(rows: Rows, model: Any) -> None:
    row = rows.make(model)
    before = _stored(model, row.pk)
    table, pk = (connection.ops.quote_name(n) for n in (model._meta.db_table, model._meta.pk.column))
    for field in _fixed(model):
        new = field.get_db_prep_save(rows.value(field, getattr(row, field.attname)), connection)
        with pytest.raises(DatabaseError, match=f"winnow: {model._meta.db_table} rows are never edited"):
            _raw(f"UPDATE {table} SET {connection.ops.quote_name(field.column)} = %s WHERE {pk} = %s", [new, _db_pk(model, row)])
    if not model.mutable_fields:  # even an update that changes nothing
        with pytest.raises(DatabaseError, match="never edited"):
            _raw(f"UPDATE {table} SET {pk} = {pk} WHERE {pk} = %s", [_db_pk(model, row)])
    if not model.deletable:
        with pytest.raises(DatabaseError, match=f"winnow: {model._meta.db_table} rows are never deleted"):
            _raw(f"DELETE FROM {table} WHERE {pk} = %s", [_db_pk(model, row)])
    assert _stored(model, row.pk) == before


@pytest.mark.parametrize("model", [m for m in PERMANENT if m.mutable_fields], ids=_label)
def test_it_lets_the_declared_columns_change_in_raw_sql(rows: Rows, model: Any) -> None:
    row = rows.make(model)
    table, pk = (connection.ops.quote_name(n) for n in (model._meta.db_table, model._meta.pk.column))
    for field in _mutable(model):
        new = rows.value(field, getattr(row, field.attname))
        _raw(f"UPDATE {table} SET {connection.ops.quote_name(field.column)} = %s WHERE {pk} = %s",
             [field.get_db_prep_save(new, connection), _db_pk(model, row)])
        row.refresh_from_db()
        assert getattr(row, field.attname) == new, field.name


# ------------------------------------------------------------------------------------- installing the guards


@pytest.mark.django_db
def test_it_has_every_guard_from_the_test_databases_migrate() -> None:
    """No fixture installs the guards: the test database's own migrate did (on SQLite and PostgreSQL)."""
    assert permanence.installed(connection) == set(permanence.wanted(connection))
    guarded = {table for table, _ in permanence.installed(connection)}
    assert guarded == {m._meta.db_table for m in PERMANENT}


@pytest.mark.django_db
def test_it_puts_missing_guards_back_and_drops_stale_ones_at_the_next_migrate() -> None:
    """What keeps the triggers in step with the models: a new permanent model has no guard until the next
    migrate, which adds it; a model that stops being permanent keeps none."""
    from winnow.accounts.models import Unit
    from winnow.referrals.models import Referral

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, name in permanence.installed(connection):
            if table == Referral._meta.db_table:
                cursor.execute(f"DROP TRIGGER {quote(name)}" + (f" ON {quote(table)}" if connection.vendor == "postgresql" else ""))
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE TRIGGER winnow_guard_update BEFORE UPDATE ON {quote(Unit._meta.db_table)} "
                           "FOR EACH ROW EXECUTE FUNCTION winnow_refuse()")
        else:
            cursor.execute(f"CREATE TRIGGER winnow_guard_accounts_unit_update BEFORE UPDATE ON {quote(Unit._meta.db_table)} "
                           "BEGIN SELECT RAISE(ABORT, 'stale'); END")
    assert permanence.installed(connection) != set(permanence.wanted(connection))
    call_command("migrate", verbosity=0)
    assert permanence.installed(connection) == set(permanence.wanted(connection))
    assert Unit._meta.db_table not in {table for table, _ in permanence.installed(connection)}
