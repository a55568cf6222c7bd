from django.apps import AppConfig
from django.http import HttpRequest


class AccountsConfig(AppConfig):
    name = "winnow.accounts"
    label = "accounts"
    verbose_name = "Units and people"

    def ready(self) -> None:
        from django.contrib import admin

        from winnow import checks  # noqa: F401  (registers the system checks)
        from winnow.permissions import Capability, can

        # Django's admin is for administrators only: an Administrator membership or a superuser.
        def has_permission(request: HttpRequest) -> bool:
            return can(request.user, Capability.ADMINISTER)

        # Replacing one method on the site instance is the point; mypy flags any method assignment.
        admin.site.has_permission = has_permission  # type: ignore[method-assign]
        admin.site.site_header = "Winnow administration"
