"""Units own data; people belong to units with a role in each."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from winnow.permissions import Capability, Role, unit_ids, units_with

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
        return unit_ids(self)


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique_role")]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} in {self.unit}"


class TokenScope(models.TextChoices):
    READ = "read", "Read only"
    WRITE = "write", "Read and write"


def _token_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.WINNOW_API_TOKEN_DAYS)


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def authenticate(self, raw: str, *, now: datetime | None = None) -> ApiToken | None:
        """The live token with this value: not revoked, not expired, its user active."""
        digest = hashlib.sha256(raw.encode()).hexdigest()
        return (
            self.select_related("user")
            .filter(digest=digest, revoked_at__isnull=True, user__is_active=True,
                    expires_at__gt=now or timezone.now())
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
    expires_at = models.DateTimeField(default=_token_expiry, help_text="The token is refused from this time on")
    scope = models.CharField(max_length=8, choices=TokenScope.choices, default=TokenScope.READ,
                             help_text="Read only, or read and write (recording referrals)")

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @classmethod
    def issue(cls, *, user: User, name: str, scope: str = TokenScope.READ,
              days: int | None = None) -> tuple[ApiToken, str]:
        """A new token, read-only unless asked for the write scope, expiring after `days` (WINNOW_API_TOKEN_DAYS)."""
        raw = "wnw_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, prefix=raw[:8], digest=hashlib.sha256(raw.encode()).hexdigest(),
            scope=TokenScope(scope),
            expires_at=timezone.now() + timedelta(days=days if days is not None else settings.WINNOW_API_TOKEN_DAYS),
        )
        return token, raw

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE
