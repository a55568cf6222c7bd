from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "winnow.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from winnow import permanence

        from . import checks  # noqa: F401 (registers the audit keys and database role checks)

        # The permanence guards (triggers generated from every permanent model) after each migrate. Connected here
        # because audit is the lowest app that keeps permanent records; the guards cover every app's models.
        permanence.connect(self)
