from django.apps import AppConfig


class SigninConfig(AppConfig):
    name = "winnow.signin"
    label = "signin"
    verbose_name = "Sign-in"

    def ready(self) -> None:
        # A failed sign-in and a lockout are audited from the signals Django and django-axes send: nothing else
        # sees them (see receivers.py).
        from . import checks, receivers  # noqa: F401
