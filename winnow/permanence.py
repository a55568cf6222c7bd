"""Permanence: records Winnow keeps forever, refused edits and deletes in Python and in the database.

Invariant 1 (no referral, assessment, decision or audit event is deleted or edited in place) is one mechanism:

- A permanent model subclasses `PermanentModel`; its managers are built on `PermanentQuerySet`. Every edit or
  delete the ORM offers (Model.save() of an existing row, Model.delete(), QuerySet.update(), QuerySet.delete(),
  bulk_update(), update_or_create(), bulk_create(update_conflicts=True)) raises `ImmutableError` before any query
  reaches the database.
- A model may name the columns that still change (`mutable_fields`, e.g. a referral's status) and may allow
  deletes (`deletable`); it then allows save(update_fields=...) / update(...) of those columns only.
- Database triggers refuse raw SQL too (winnow.dbguards).

This module sits below every Winnow app: it imports Django only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django.apps import apps as global_apps
from django.core import checks
from django.db import models, transaction

__all__ = [
    "ImmutableError",
    "PermanentModel",
    "PermanentQuerySet",
    "UnitScopedQuerySet",
    "check_model",
    "permanent_models",
]


class ImmutableError(Exception):
    """An attempt to change or delete a record Winnow keeps forever."""


# ------------------------------------------------------------------------------------------------ the ORM side


def _field_names(model: type[models.Model], names: Iterable[str]) -> set[str]:
    """Field names for names or attnames ("assigned_to_id" -> "assigned_to")."""
    return {model._meta.get_field(name).name for name in names}


def _refuse_edit(model: type[models.Model], names: Iterable[str] | None) -> None:
    """Raise unless every named column may change (None: all columns, as a plain save() writes)."""
    allowed = getattr(model, "mutable_fields", frozenset())
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


def permanent_models(registry: Any = None) -> list[type[PermanentModel]]:
    """Every concrete permanent model in the (live) app registry."""
    registry = registry or global_apps
    return [m for m in registry.get_models() if issubclass(m, PermanentModel) and not m._meta.proxy]


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
        if field.is_relation and field.remote_field.on_delete not in _KEEPS_ROWS:
            errors.append(checks.Error(
                f"{field.name} would delete or edit permanent rows when its target is deleted",
                hint="Use on_delete=models.PROTECT.", obj=model, id="winnow.E102"))
    for field in model._meta.local_many_to_many:
        if not issubclass(field.remote_field.through, PermanentModel):
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
