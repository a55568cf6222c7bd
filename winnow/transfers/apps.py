from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "winnow.transfers"
    label = "transfers"
    verbose_name = "Transfers between units and installations"
