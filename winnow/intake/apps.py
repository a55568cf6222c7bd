from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "winnow.intake"
    label = "intake"
    verbose_name = "Intake: every way a referral arrives"
