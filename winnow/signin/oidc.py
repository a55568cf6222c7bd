"""Optional OpenID Connect sign-in (mozilla-django-oidc), audited like a password sign-in."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

from .views import signed_in


class AuditedCallbackView(OIDCAuthenticationCallbackView):
    def login_success(self) -> Any:
        response: HttpResponse = super().login_success()
        signed_in(self.request, via="oidc")
        return response
