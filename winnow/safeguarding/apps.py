from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "winnow.safeguarding"
    label = "safeguarding"
    verbose_name = "Safeguarding referrals"
    default_auto_field = "django.db.models.BigAutoField"
