from django.apps import AppConfig


class WorkloadConfig(AppConfig):
    name = "winnow.workload"
    label = "workload"
    verbose_name = "Workload: queue, case actions, capacity"
