"""Notifications moved to the notifications app: forget them here, state only (their tables stay and are theirs)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("linkage", "0002_guards"),
        ("notifications", "0001_initial"),
        ("offenders", "0003_notification_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="NotificationRead"),
                migrations.DeleteModel(name="Notification"),
            ],
            database_operations=[],
        ),
    ]
