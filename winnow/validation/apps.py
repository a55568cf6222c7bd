from django.apps import AppConfig


class ValidationConfig(AppConfig):
    name = "winnow.validation"
    label = "validation"
    verbose_name = "Outcomes and local validation"
    default_auto_field = "django.db.models.BigAutoField"
