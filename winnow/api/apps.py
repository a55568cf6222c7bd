from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "winnow.api"
    label = "winnow_api"
    verbose_name = "API"
