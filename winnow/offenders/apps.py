from django.apps import AppConfig


class OffendersConfig(AppConfig):
    name = "winnow.offenders"
    label = "offenders"
    verbose_name = "Offender management: registered sex offenders, visit plans, reviews"
