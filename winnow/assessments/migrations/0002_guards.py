"""Guard triggers for assessments, decisions and youth-pathway decisions (see winnow.dbguards)."""

from django.db import migrations


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    from winnow import dbguards

    dbguards.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
