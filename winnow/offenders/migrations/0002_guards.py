"""Guard triggers for the offender tables (see winnow.dbguards)."""

from django.db import migrations


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    from winnow import dbguards

    dbguards.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("offenders", "0001_initial"), ("linkage", "0002_guards")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
