"""Optional OpenID Connect sign-in (mozilla-django-oidc), audited like a password sign-in.

mozilla-django-oidc checks the ID token's signature (against the provider's JWKS) and nonce, but not its audience
or issuer; the backend here checks both, so a token the provider issued to another application, or another
provider's token, is refused. People are matched by e-mail to active accounts an administrator made, never created
on first sign-in; Winnow's second factor still applies after it."""

from __future__ import annotations

import logging
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

from winnow.accounts.models import User

from .views import signed_in

logger = logging.getLogger(__name__)


class WinnowOIDCBackend(OIDCAuthenticationBackend):
    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        """A refused token (expired, wrong key, audience, issuer, nonce) or a provider that does not answer is a failed
        sign-in, audited as one and shown as one: never a 500 (mozilla-django-oidc lets an expired token's error
        and the provider's connection errors through)."""
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, jwt.PyJWTError, requests.RequestException, ValueError, KeyError) as exc:
            logger.warning("OpenID Connect sign-in refused: %s", exc)
            return None

    def verify_token(self, token: str, **kwargs: Any) -> Any:
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token was issued to another application (aud)")
        if payload.get("iss") != settings.WINNOW_OIDC_ISSUER:
            raise SuspiciousOperation("ID token comes from another issuer (iss)")
        return payload

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        email = str(claims.get("email") or "").strip()
        if not email:
            return User.objects.none()
        return User.objects.filter(email__iexact=email, is_active=True)


class AuditedCallbackView(OIDCAuthenticationCallbackView):
    def login_success(self) -> Any:
        response: HttpResponse = super().login_success()
        signed_in(self.request, via="oidc")
        return response

    def login_failure(self) -> Any:
        messages.error(self.request, "Signing in with your organisation's account did not work. Try again, or sign "
                                     "in with your Winnow username and password.")
        return super().login_failure()
