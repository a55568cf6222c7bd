from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "winnow.worker"
    label = "worker"
    verbose_name = "Task worker"
