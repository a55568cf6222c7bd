from django.apps import AppConfig


class VictimIdConfig(AppConfig):
    name = "winnow.victimid"
    label = "victimid"
    verbose_name = "Victim identification"
    default_auto_field = "django.db.models.BigAutoField"
