from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "winnow.research"
    label = "research"
    verbose_name = "Offending trends and research export"
    default_auto_field = "django.db.models.BigAutoField"
