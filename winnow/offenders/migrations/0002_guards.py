"""Guard triggers for the offender tables (see winnow.dbguards)."""

from django.db import migrations

from winnow import dbguards


class Migration(migrations.Migration):
    dependencies = [("offenders", "0001_initial"), ("linkage", "0002_guards")]
    operations = [migrations.RunPython(dbguards.migrate_install, migrations.RunPython.noop)]
