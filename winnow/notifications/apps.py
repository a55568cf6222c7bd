from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "winnow.notifications"
    label = "notifications"
    verbose_name = "Notifications"
