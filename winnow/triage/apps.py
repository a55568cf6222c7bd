from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "winnow.triage"
    label = "triage"
    verbose_name = "Collection triage"
    default_auto_field = "django.db.models.BigAutoField"
