"""A person's notifications: the list (audited as a search) and opening one (a read row, audited)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from winnow.audit.services import AuditAction, audit_search

from . import services
from .models import Notification


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notes = Notification.objects.for_user(request.user).select_related("read")
    page = Paginator(notes, 50).get_page(request.GET.get("page"))
    audit_search(request, AuditAction.NOTIFICATION_LIST, {"page": page.number})
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    services.notification_read(notification=note, actor=request.user)
    if request.POST.get("follow") and note.link and url_has_allowed_host_and_scheme(
        note.link, allowed_hosts={request.get_host()}, require_https=not settings.DEBUG and request.is_secure()
    ):
        return redirect(note.link)
    return redirect("notifications:list")
