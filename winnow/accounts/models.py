"""Units own data; people belong to units with a role in each."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from winnow.permissions import Capability, Role, units_with

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class UnitQuerySet(models.QuerySet["Unit"]):
    def for_user(self, user: User | AnonymousUser, capability: Capability | None = None) -> UnitQuerySet:
        """The user's units; with a capability, only those in which the user holds it (winnow.permissions)."""
        if not user.is_authenticated:
            return self.none()
        if capability is not None:
            return self.filter(pk__in=units_with(user, capability))
        return self.filter(pk__in=Membership.objects.filter(user=user).values("unit_id"))


class Unit(models.Model):
    code = models.SlugField(max_length=20, unique=True, help_text="Short code used in referral references")
    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who uses Winnow. What they may see comes from their memberships, never from flags on the user;
    what they may do, from winnow.permissions (`can`, `require`, `units_with`)."""

    def unit_ids(self) -> set[int]:
        """Every unit the user belongs to, whatever the role: what `visible_to` QuerySets show (invariant 6)."""
        return set(self.memberships.values_list("unit_id", flat=True))


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique_role")]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} in {self.unit}"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def authenticate(self, raw: str) -> ApiToken | None:
        digest = hashlib.sha256(raw.encode()).hexdigest()
        return (
            self.select_related("user")
            .filter(digest=digest, revoked_at__isnull=True, user__is_active=True)
            .first()
        )


class ApiToken(models.Model):
    """Bearer token for the API. Only its SHA-256 is stored; the token is shown once when created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, help_text="First characters, to recognise a token in lists")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple[ApiToken, str]:
        raw = "wnw_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, prefix=raw[:8], digest=hashlib.sha256(raw.encode()).hexdigest()
        )
        return token, raw
