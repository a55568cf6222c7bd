from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "winnow.training"
    label = "training"
    verbose_name = "Training, certification and rater agreement"
    default_auto_field = "django.db.models.BigAutoField"
