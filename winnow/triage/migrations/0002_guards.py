"""Guard triggers for the triage app's append-only tables (see winnow.dbguards)."""

from django.db import migrations


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    from winnow import dbguards

    dbguards.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_initial"), ("referrals", "0002_guards")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
