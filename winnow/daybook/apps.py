from django.apps import AppConfig


class DaybookConfig(AppConfig):
    name = "winnow.daybook"
    label = "daybook"
    verbose_name = "Each role's day: landing pages"
