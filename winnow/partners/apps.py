from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "winnow.partners"
    label = "partners"
    verbose_name = "Working with other units"
