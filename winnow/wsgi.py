import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "winnow.settings")
application = get_wsgi_application()

# gunicorn runs no system checks of its own: in production, refuse to serve when any fails (development secrets,
# demo logins, no second factor, no HTTPS). The error names each failed check.
if os.environ.get("WINNOW_ENV") == "production":
    from django.core.management import call_command

    call_command("check", fail_level="ERROR", databases=["default"])
