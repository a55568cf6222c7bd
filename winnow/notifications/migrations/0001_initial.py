"""Notifications move from the linkage app to their own app: state only. The tables already exist (created by
linkage 0001) and keep their names, so no row is copied, lost or re-created."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("linkage", "0002_guards"),
        ("referrals", "0003_priority"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("message", models.TextField()),
                        ("link", models.CharField(blank=True, help_text="A path inside Winnow", max_length=500)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("recipient", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("referral", models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="referrals.referral")),
                        ("unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.unit")),
                    ],
                    options={
                        "db_table": "linkage_notification",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [models.Index(fields=["recipient", "created_at"], name="linkage_not_recipie_039bb9_idx")],
                    },
                ),
                migrations.CreateModel(
                    name="NotificationRead",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("read_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("notification", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="read", to="notifications.notification")),
                    ],
                    options={"db_table": "linkage_notificationread"},
                ),
            ],
            database_operations=[],
        ),
    ]
