"""Guard triggers for the deconfliction tables (see winnow.dbguards): append-only against raw SQL too."""

from django.db import migrations


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    from winnow import dbguards

    dbguards.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("linkage", "0001_initial"), ("referrals", "0002_guards")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
