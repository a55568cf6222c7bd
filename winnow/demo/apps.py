from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Fictional demo data (`winnow seed-demo`). At the top of the layers: it drives every app's real services."""

    name = "winnow.demo"
    label = "demo"
    verbose_name = "Demo data"
