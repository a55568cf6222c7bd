"""The pages of signing in beyond the password: the second factor, setting it up, recovery codes, one's own
password, and the lockout page."""

from __future__ import annotations

import time
from base64 import b32encode
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from winnow.audit.services import AuditAction, audit_record

from . import services
from .forms import CodeForm, EnrolForm, GovukPasswordChangeForm
from .middleware import LAST_SEEN, SIGNED_IN_AT
from .receivers import address

PENDING_DEVICE = "winnow_pending_totp"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a TOTP code or one recovery code."""
    user: Any = request.user
    if user.is_verified():
        return redirect(_next(request))
    if not user_has_device(user):
        return redirect("signin:setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            recovery = isinstance(device, StaticDevice)
            with transaction.atomic():
                audit_record(actor=user, action=AuditAction.MFA_VERIFY, unit_id=None, target=user,
                             detail={"device": "recovery code" if recovery else "totp",
                                     "recovery_codes_left": device.token_set.count() if recovery else None})
            if recovery:
                messages.warning(request, "You signed in with a recovery code. It cannot be used again.")
            return redirect(_next(request))
        with transaction.atomic():
            audit_record(actor=user, action=AuditAction.MFA_FAILED, unit_id=None, target=user, detail={})
        form.add_error("code", "That code is not right, or has been used. Wait for a new code and try again.")
    return render(request, "signin/verify.html", {"form": form, "next": _next(request)},
                  status=400 if form.errors else 200)


def _qr_svg(url: str) -> str:
    # segno writes plain SVG with no script or style attribute, so the CSP holds.
    return segno.make(url, error="m").svg_inline(scale=4, title="QR code to scan with your authenticator app")


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Set up TOTP: scan the QR code (or type the key), then prove it with a first code. Someone who already has a
    device must have passed it in this session before replacing it."""
    user: Any = request.user
    if user_has_device(user) and not user.is_verified():
        return redirect(f"{reverse_lazy('signin:verify')}?next={request.path}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False, pk=request.session.get(PENDING_DEVICE)).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=False)
        request.session[PENDING_DEVICE] = device.pk
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = services.totp_enrol(user=user, device=device)
            request.session.pop(PENDING_DEVICE, None)
            otp_login(request, device)
            # The codes are shown once, in this response, and never put in the session or a redirect.
            return render(request, "signin/recovery_codes.html", {"codes": codes, "next": _next(request)})
        form.add_error("code", "That code is not right. Check the time on your phone, then enter the newest code.")
    secret = b32encode(device.bin_key).decode()
    return render(request, "signin/setup.html", {
        "form": form, "qr": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 (segno's own SVG, no user text)
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)), "next": _next(request),
    }, status=400 if form.errors else 200)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    recovery = StaticDevice.objects.filter(user=user, name=services.RECOVERY_DEVICE_NAME).first()
    return render(request, "signin/account.html", {
        "has_totp": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        "recovery_left": recovery.token_set.count() if recovery else 0,
    })


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.is_verified():
        return redirect("signin:account")
    codes = services.recovery_codes_issue(user=user, actor=user)
    return render(request, "signin/recovery_codes.html", {"codes": codes, "next": reverse_lazy("signin:account")})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password (old password, then the new one twice); the rules are AUTH_PASSWORD_VALIDATORS."""

    form_class = GovukPasswordChangeForm
    template_name = "signin/password_change.html"
    success_url = reverse_lazy("signin:account")

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            user: Any = self.request.user
            audit_record(actor=user, action=AuditAction.PASSWORD_CHANGE, unit_id=None, target=user, detail={})
        messages.success(self.request, "Your password has been changed.")
        return response



class LoginView(auth_views.LoginView):
    """Django's sign-in page (the admin's redirects here), audited, and offering OpenID Connect when configured.
    django-axes counts the failures and refuses a locked-out username (winnow.signin.backends)."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "oidc_enabled": settings.WINNOW_OIDC_ENABLED}

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            signed_in(self.request, via="password")
        return response


def signed_in(request: HttpRequest, *, via: str) -> None:
    """After `login()`: start the absolute timeout and record the sign-in."""
    request.session[SIGNED_IN_AT] = time.time()
    request.session[LAST_SEEN] = time.time()
    user: Any = request.user
    with transaction.atomic():
        audit_record(actor=user, action=AuditAction.SIGNIN_LOGIN, unit_id=None, target=user,
                     detail={"via": via, "address": address(request)})


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user: Any = request.user
        if user.is_authenticated:
            with transaction.atomic():
                audit_record(actor=user, action=AuditAction.SIGNIN_LOGOUT, unit_id=None, target=user,
                             detail={"address": address(request)})
        return super().post(request, *args, **kwargs)
