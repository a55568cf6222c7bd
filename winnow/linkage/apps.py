from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "winnow.linkage"
    label = "linkage"
    verbose_name = "Deconfliction: links, people and notifications"
