"""Every administrator's change through Django's admin is audited: users (superuser, staff, active, password),
memberships (roles in units), API tokens (owner, revocation, expiry, scope), units, lockouts and second factors.

The accounts app registers its admins plainly (it sits below the audit trail's users); this module, loaded after
it, puts audited ones in their place.
"""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from winnow.accounts.admin import ApiTokenAdmin, UnitAdmin, WinnowUserAdmin
from winnow.accounts.models import ApiToken, Membership, Unit, User
from winnow.audit.services import AuditAction, audit_record

from . import services

SECRET_FIELDS = {"password", "digest"}


def _shown(value: Any) -> Any:
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, QuerySet):
        return sorted(str(v.pk) for v in value)
    return value if isinstance(value, bool | int | float | type(None)) else str(value)


def _unit_of(obj: Model) -> int | None:
    if isinstance(obj, Unit):
        return obj.pk
    return getattr(obj, "unit_id", None)


class AuditedAdminMixin:
    """save_model / delete_model / delete_queryset record what changed, from before to after, in the same
    transaction as the change (the admin's change and delete views run inside one)."""

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        before = type(obj).objects.filter(pk=obj.pk).first() if change and obj.pk else None
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        fields: dict[str, Any] = {}
        for name in form.changed_data:
            if name in SECRET_FIELDS or name.startswith("password"):
                fields[name] = "set"
                continue
            old = _shown(getattr(before, name, None)) if before is not None else None
            new = _shown(form.cleaned_data.get(name))
            fields[name] = [old, new]
        with transaction.atomic():
            audit_record(actor=request.user, action=AuditAction.ADMIN_CHANGE if change else AuditAction.ADMIN_ADD,
                         unit_id=_unit_of(obj), target=obj, detail={"object": str(obj)[:200], "fields": fields})

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_record(actor=request.user, action=AuditAction.ADMIN_DELETE, unit_id=_unit_of(obj), target=obj,
                         detail={"object": str(obj)[:200]})
            super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit_record(actor=request.user, action=AuditAction.ADMIN_DELETE, unit_id=_unit_of(obj),
                             target=obj, detail={"object": str(obj)[:200]})
            super().delete_queryset(request, queryset)  # type: ignore[misc]


def _membership_detail(membership: Membership) -> dict[str, Any]:
    return {"user": membership.user.username, "unit": membership.unit.code, "role": membership.role}


@admin.action(description="Reset two-step verification (lost authenticator)")
def reset_second_factor(modeladmin: Any, request: HttpRequest, queryset: QuerySet[User]) -> None:
    for user in queryset:
        services.mfa_reset(user=user, actor=request.user)
    modeladmin.message_user(request, f"Two-step verification reset for {queryset.count()} people: they set it up "
                                     "again at their next sign-in.", messages.SUCCESS)


class AuditedUserAdmin(AuditedAdminMixin, WinnowUserAdmin):
    actions = [reset_second_factor]

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet,
                     change: bool) -> None:
        """Memberships are a person's roles in units: each grant, change and removal is its own event, in the
        unit concerned, so that unit's auditors see it."""
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        removed = [(m.pk, m.unit_id, _membership_detail(m)) for m in
                   (f.instance for f in formset.deleted_forms if f.instance.pk)]
        old = {m.pk: m.role for m in Membership.objects.filter(user=form.instance)}
        formset.save()
        with transaction.atomic():
            for pk, unit_id, detail in removed:
                audit_record(actor=request.user, action=AuditAction.MEMBERSHIP_REVOKE, unit_id=unit_id,
                             target_type="membership", target_id=str(pk), detail=detail)
            for membership in formset.new_objects:
                audit_record(actor=request.user, action=AuditAction.MEMBERSHIP_GRANT, unit_id=membership.unit_id,
                             target=membership, detail=_membership_detail(membership))
            for membership, changed in formset.changed_objects:
                detail = {**_membership_detail(membership), "changed": list(changed),
                          "role_before": old.get(membership.pk)}
                audit_record(actor=request.user, action=AuditAction.MEMBERSHIP_CHANGE, unit_id=membership.unit_id,
                             target=membership, detail=detail)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:  # the form was valid and saved
                user = User.objects.get(pk=id)
                audit_record(actor=request.user, action=AuditAction.PASSWORD_SET, unit_id=None, target=user,
                             detail={"user": user.username})
        return response


class AuditedUnitAdmin(AuditedAdminMixin, UnitAdmin):
    pass


class AuditedApiTokenAdmin(AuditedAdminMixin, ApiTokenAdmin):
    list_display = ["prefix", "name", "user", "scope", "created_at", "expires_at", "revoked_at"]


@admin.action(description="Unlock these usernames")
def unlock(modeladmin: Any, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
    usernames = sorted({attempt.username for attempt in queryset if attempt.username})
    for username in usernames:
        services.lockout_lift(username=username, actor=request.user)
    modeladmin.message_user(request, f"Unlocked: {', '.join(usernames) or 'nobody'}.", messages.SUCCESS)


class AuditedAccessAttemptAdmin(AuditedAdminMixin, AccessAttemptAdmin):
    actions = [unlock]


class AuditedTOTPDeviceAdmin(AuditedAdminMixin, TOTPDeviceAdmin):
    pass


class AuditedStaticDeviceAdmin(AuditedAdminMixin, StaticDeviceAdmin):
    pass


for model, model_admin in ((User, AuditedUserAdmin), (Unit, AuditedUnitAdmin), (ApiToken, AuditedApiTokenAdmin),
                           (AccessAttempt, AuditedAccessAttemptAdmin), (TOTPDevice, AuditedTOTPDeviceAdmin),
                           (StaticDevice, AuditedStaticDeviceAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
