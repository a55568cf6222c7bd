from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "winnow.training"
    label = "training"
    verbose_name = "Training, certification and rater agreement"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from winnow.assessments import notices

        from . import checks, services

        checks.connect()
        notices.register(services.uncertified_warning)
        notices.register(services.second_coding_notice)
