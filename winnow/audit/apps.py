from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "winnow.audit"
    label = "audit"
    verbose_name = "Audit trail"
