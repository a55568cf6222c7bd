from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class AssessmentsConfig(AppConfig):
    name = "winnow.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        # Load and validate every instrument file once, at start-up: a broken file stops Winnow here, naming the
        # file, the line and the reason, rather than failing the first assessment that needs it.
        from winnow.core.instruments import InstrumentError

        from .registry import load_registry

        try:
            load_registry()
        except InstrumentError as exc:
            raise ImproperlyConfigured(f"WINNOW_INSTRUMENTS_DIR: {exc}") from None
