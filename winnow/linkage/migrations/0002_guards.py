"""Kept so the migration graph stays the same on fresh and existing databases. The guard triggers this used to
install are now generated from the models and installed after every migrate (winnow.permanence)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("linkage", "0001_initial"), ("referrals", "0002_guards")]
    operations = []
