"""Permanence: records Winnow keeps forever, refused edits and deletes in Python and in the database.

Invariant 1 (no referral, assessment, decision or audit event is deleted or edited in place) is one mechanism:

- A permanent model subclasses `PermanentModel`; its managers are built on `PermanentQuerySet`. Every edit or
  delete the ORM offers (Model.save() of an existing row, Model.delete(), QuerySet.update(), QuerySet.delete(),
  bulk_update(), update_or_create(), bulk_create(update_conflicts=True)) raises `ImmutableError` before any query
  reaches the database.
- A model may name the columns that still change (`mutable_fields`, e.g. a referral's status) and may allow
  deletes (`deletable`); it then allows save(update_fields=...) / update(...) of those columns only.
- The same rule is installed as database triggers (SQLite and PostgreSQL) GENERATED from the models that use the
  base, so raw SQL is refused too. `install` runs after every `migrate` (a post_migrate receiver, connected by
  `connect`), so a new permanent model is guarded by the next migrate with no list to keep in step.

The triggers do not stop a database owner who drops them: in production, run Winnow as a role that does not own
the tables (see README, "Running at scale"). PostgreSQL's TRUNCATE fires no row triggers and is not guarded
(Django's test flush uses it); a non-owner role without the TRUNCATE privilege cannot run it.

This module sits below every Winnow app: it imports Django only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django.apps import apps as global_apps
from django.core import checks
from django.db import connections, models, transaction
from django.db.models.signals import post_migrate

__all__ = [
    "ImmutableError",
    "PermanentModel",
    "PermanentQuerySet",
    "UnitScopedQuerySet",
    "check_model",
    "connect",
    "install",
    "permanent_models",
    "uninstall",
]


class ImmutableError(Exception):
    """An attempt to change or delete a record Winnow keeps forever."""


# ------------------------------------------------------------------------------------------------ the ORM side


def _field_names(model: type[models.Model], names: Iterable[str]) -> set[str]:
    """Field names for names or attnames ("assigned_to_id" -> "assigned_to")."""
    return {model._meta.get_field(name).name for name in names}


def _refuse_edit(model: type[models.Model], names: Iterable[str] | None) -> None:
    """Raise unless every named column may change (None: all columns, as a plain save() writes)."""
    allowed: frozenset[str] = getattr(model, "mutable_fields", frozenset())
    if names is None:
        if allowed:
            raise ImmutableError(
                f"{model.__name__} records are never edited in place; only "
                f"{', '.join(sorted(allowed))} may change, named in update_fields"
            )
        raise ImmutableError(f"{model.__name__} records are never edited in place")
    fixed = sorted(_field_names(model, names) - set(allowed))
    if fixed:
        raise ImmutableError(
            f"{model.__name__} records are never edited in place ({', '.join(fixed)} "
            f"{'is' if len(fixed) == 1 else 'are'} fixed once recorded)"
        )


def _refuse_delete(model: type[models.Model]) -> None:
    if not getattr(model, "deletable", False):
        raise ImmutableError(f"{model.__name__} records are never deleted")


class PermanentQuerySet(models.QuerySet[Any]):
    """The QuerySet every permanent model's managers are built on (a system check makes sure)."""

    def update(self, **kwargs: Any) -> int:
        _refuse_edit(self.model, kwargs)
        return super().update(**kwargs)

    def delete(self) -> Any:
        _refuse_delete(self.model)
        return super().delete()

    def bulk_update(self, objs: Iterable[Any], fields: Iterable[str], batch_size: int | None = None) -> int:
        fields = list(fields)
        _refuse_edit(self.model, fields)
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        if kwargs.get("update_conflicts"):
            _refuse_edit(self.model, kwargs.get("update_fields") or None)
        return super().bulk_create(objs, *args, **kwargs)

    def update_or_create(
        self, defaults: Any = None, create_defaults: Any = None, **kwargs: Any
    ) -> tuple[Any, bool]:
        """Refused up front when `defaults` names a fixed column (create-only: use get_or_create). Otherwise
        Django's own, except that the save names only the defaults (Django adds every date column)."""
        update_defaults = dict(defaults or {})
        _refuse_edit(self.model, update_defaults)
        with transaction.atomic(using=self.db):
            obj, created = self.select_for_update().get_or_create(
                update_defaults if create_defaults is None else create_defaults, **kwargs
            )
            if created:
                return obj, True
            for name, value in update_defaults.items():
                setattr(obj, name, value() if callable(value) else value)
            obj.save(using=self.db, update_fields=list(update_defaults))
        return obj, False


class UnitScopedQuerySet(PermanentQuerySet):
    """Permanent records that belong to a unit (a `unit` foreign key)."""

    def visible_to(self, user: Any) -> Any:
        """Only the units the user belongs to (invariant 6: the check lives here, not in templates)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(unit_id__in=user.unit_ids())


class PermanentModel(models.Model):
    """A record Winnow keeps forever: inserted once; never deleted; never edited, except `mutable_fields`."""

    # Columns (field names) that may still change after the row is inserted; everything else is fixed.
    mutable_fields: ClassVar[frozenset[str]] = frozenset()
    # Whether rows may be deleted at all.
    deletable: ClassVar[bool] = False

    objects = PermanentQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(
        self,
        *,
        force_insert: Any = False,
        force_update: bool = False,
        using: str | None = None,
        update_fields: Iterable[str] | None = None,
    ) -> None:
        if not self._state.adding or force_update or update_fields is not None:
            _refuse_edit(type(self), None if update_fields is None else list(update_fields))
        elif not force_insert:
            # A new row is inserted, never "updated if it exists" (Django does that for a new object whose
            # primary key is already set).
            force_insert = True
        super().save(force_insert=force_insert, force_update=force_update, using=using, update_fields=update_fields)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        _refuse_delete(type(self))
        return super().delete(*args, **kwargs)


def permanent_models() -> list[type[PermanentModel]]:
    """Every concrete permanent model in the live app registry (never a migration's historical models, which do
    not keep their abstract bases)."""
    return [m for m in global_apps.get_models() if issubclass(m, PermanentModel) and not m._meta.proxy]


# ------------------------------------------------------------------------------------------------ system checks

_KEEPS_ROWS = (models.PROTECT, models.RESTRICT, models.DO_NOTHING)


@checks.register(checks.Tags.models)
def check_permanent_models(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    labels = None if app_configs is None else {c.label for c in app_configs}
    return [error for model in permanent_models() if labels is None or model._meta.app_label in labels
            for error in check_model(model)]


def check_model(model: type[PermanentModel]) -> list[checks.CheckMessage]:
    """What the base class cannot enforce by itself: its managers, its relations and its declared columns."""
    errors: list[checks.CheckMessage] = []
    for manager in model._meta.managers:
        queryset = getattr(manager, "_queryset_class", models.QuerySet)
        if not issubclass(queryset, PermanentQuerySet):
            errors.append(checks.Error(
                f"manager '{manager.name}' is built on {queryset.__name__}, not PermanentQuerySet",
                hint="Build it with PermanentQuerySet (or a subclass).as_manager().", obj=model, id="winnow.E101"))
    for field in model._meta.concrete_fields:
        remote = field.remote_field
        if field.is_relation and remote is not None and remote.on_delete not in _KEEPS_ROWS:
            errors.append(checks.Error(
                f"{field.name} would delete or edit permanent rows when its target is deleted",
                hint="Use on_delete=models.PROTECT.", obj=model, id="winnow.E102"))
    for field in model._meta.local_many_to_many:
        through = field.remote_field.through
        if through is None or not issubclass(through, PermanentModel):
            errors.append(checks.Error(
                f"{field.name}: the rows of its through table can be removed",
                hint="Use a through model that is a PermanentModel.", obj=model, id="winnow.E103"))
    concrete = {f.name for f in model._meta.concrete_fields if not f.primary_key}
    unknown = set(model.mutable_fields) - concrete
    if unknown:
        errors.append(checks.Error(
            f"mutable_fields names {', '.join(sorted(unknown))}: not concrete columns of the model",
            obj=model, id="winnow.E104"))
    return errors


# ------------------------------------------------------------------------------------------- database triggers


def _message(table: str, event: str) -> str:
    return f"winnow: {table} rows are never {'deleted' if event == 'DELETE' else 'edited'}"


def _table_columns(connection: Any, table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [column.name for column in connection.introspection.get_table_description(cursor, table)]


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    # mutable_fields names concrete columns (check_model, winnow.E104), never a reverse relation.
    assert isinstance(field, models.Field) and field.column is not None, f"{model.__name__}.{name} is not a column"
    return field.column


def _guarded(connection: Any) -> list[tuple[str, str, list[str]]]:
    """(table, event, columns that may change) for every guard trigger the models want, on existing tables.

    An UPDATE guard with changeable columns refuses a change to any OTHER column the table has (introspected, so
    a column the model does not know about is fixed too); an UPDATE guard without them refuses every update."""
    existing = set(connection.introspection.table_names())
    wanted = []
    for model in permanent_models():
        table = model._meta.db_table
        if table not in existing:  # e.g. part-way through a backwards migration
            continue
        mutable = [_column(model, name) for name in sorted(model.mutable_fields)]
        wanted.append((table, "UPDATE", mutable))
        if not model.deletable:
            wanted.append((table, "DELETE", []))
    return wanted


def _sqlite_triggers(connection: Any) -> dict[tuple[str, str], str]:
    """(table, trigger name) -> CREATE TRIGGER statement. SQLite trigger names are global: they carry the table."""
    quote = connection.ops.quote_name
    statements = {}
    for table, event, mutable in _guarded(connection):
        when = ""
        if mutable:
            fixed = [c for c in _table_columns(connection, table) if c not in mutable]
            when = " WHEN " + " OR ".join(f"OLD.{quote(c)} IS NOT NEW.{quote(c)}" for c in fixed)
        name = f"winnow_guard_{table}_{event.lower()}"
        message = _message(table, event).replace("'", "''")
        statements[(table, name)] = (
            f"CREATE TRIGGER {name} BEFORE {event} ON {quote(table)} FOR EACH ROW{when} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )
    return statements


_POSTGRESQL_FUNCTIONS = {
    "winnow_refuse": """CREATE OR REPLACE FUNCTION winnow_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'winnow: % rows are never %', TG_TABLE_NAME,
            CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'edited' END; END $$""",
    # The trigger's arguments are the columns that may change; any other column changing is refused.
    "winnow_refuse_fixed": """CREATE OR REPLACE FUNCTION winnow_refuse_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF (to_jsonb(NEW) - TG_ARGV) IS DISTINCT FROM (to_jsonb(OLD) - TG_ARGV) THEN
            RAISE EXCEPTION 'winnow: % rows are never edited (only % may change)', TG_TABLE_NAME,
              array_to_string(TG_ARGV, ', ');
          END IF;
          RETURN NEW;
        END $$""",
}


def _postgresql_triggers(connection: Any) -> dict[tuple[str, str], str]:
    """(table, trigger name) -> CREATE TRIGGER statement."""
    quote = connection.ops.quote_name
    statements = {}
    for table, event, mutable in _guarded(connection):
        if mutable:
            arguments = ", ".join("'" + column.replace("'", "''") + "'" for column in mutable)
            function = f"winnow_refuse_fixed({arguments})"
        else:
            function = "winnow_refuse()"
        name = f"winnow_guard_{event.lower()}"
        statements[(table, name)] = (
            f"CREATE OR REPLACE TRIGGER {name} BEFORE {event} ON {quote(table)} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}"
        )
    return statements


def wanted(connection: Any) -> dict[tuple[str, str], str]:
    """(table, trigger name) -> statement, for every guard the models want on this database's existing tables."""
    return _postgresql_triggers(connection) if connection.vendor == "postgresql" else _sqlite_triggers(connection)


def installed(connection: Any) -> set[tuple[str, str]]:
    """(table, trigger name) of every Winnow guard trigger in the database (on PostgreSQL: every trigger that runs
    a `winnow_` function, which includes the differently named triggers of earlier versions)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_proc p ON p.oid = t.tgfoid "
                "WHERE NOT t.tgisinternal AND n.nspname = current_schema() AND left(p.proname, 7) = 'winnow_'"
            )
        else:
            cursor.execute(
                "SELECT tbl_name, name FROM sqlite_master "
                "WHERE type = 'trigger' AND substr(name, 1, 13) = 'winnow_guard_'"
            )
        return {(table, name) for table, name in cursor.fetchall()}


def _drop(connection: Any, cursor: Any, table: str, name: str) -> None:
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name)} ON {quote(table)}")
    else:
        cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name)}")


def install(connection: Any) -> None:
    """Bring the guard triggers in line with the models: create every wanted one, drop any other.

    Idempotent and cheap enough to run after every migrate. One transaction on both databases (their DDL is
    transactional), so no other session ever sees a table unguarded."""
    if connection.vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"no permanence triggers for {connection.vendor}")
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _install_postgresql(connection, cursor)
        else:
            _install_sqlite(connection, cursor)


def _install_postgresql(connection: Any, cursor: Any) -> None:
    for sql in _POSTGRESQL_FUNCTIONS.values():
        cursor.execute(sql)
    statements = _postgresql_triggers(connection)
    for table, name in installed(connection) - set(statements):
        _drop(connection, cursor, table, name)
    for sql in statements.values():
        cursor.execute(sql)  # CREATE OR REPLACE
    cursor.execute(  # functions of earlier versions (e.g. winnow_referral_intake_guard), no longer used
        "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = current_schema() AND left(p.proname, 7) = 'winnow_' AND p.proname <> ALL(%s)",
        [list(_POSTGRESQL_FUNCTIONS)],
    )
    for (function,) in cursor.fetchall():
        cursor.execute(f"DROP FUNCTION IF EXISTS {connection.ops.quote_name(function)}()")


def _install_sqlite(connection: Any, cursor: Any) -> None:
    """SQLite keeps each trigger's statement verbatim: replace only what differs."""
    statements = _sqlite_triggers(connection)
    cursor.execute(
        "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger' AND substr(name, 1, 13) = 'winnow_guard_'"
    )
    current = {(table, name): sql for table, name, sql in cursor.fetchall()}
    for key, sql in current.items():
        if statements.get(key) != sql:
            _drop(connection, cursor, *key)
    for key, sql in statements.items():
        if current.get(key) != sql:
            cursor.execute(sql)


def uninstall(connection: Any) -> None:
    """Drop every guard trigger: for test teardown on SQLite, where Django's flush deletes rows (PostgreSQL's
    TRUNCATE fires no row triggers), and for tests that play an attacker with DDL rights."""
    with connection.cursor() as cursor:
        for table, name in installed(connection):
            _drop(connection, cursor, table, name)


def _install_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    install(connections[using])


def connect(sender: Any) -> None:
    """Install the guards after every migrate (and every test-database creation and flush, which end with the
    same signal). Called once, from the lowest app's AppConfig.ready(), with that app config as `sender` so the
    guards are installed once per migrate, not once per app."""
    post_migrate.connect(_install_after_migrate, sender=sender, dispatch_uid="winnow.permanence.install")
