"""Database triggers refusing deletes and in-place edits of permanent records (see winnow.dbguards)."""

from django.db import migrations


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    from winnow import dbguards

    dbguards.install(schema_editor.connection)


def uninstall(apps, schema_editor):  # type: ignore[no-untyped-def]
    from winnow import dbguards

    dbguards.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial"), ("audit", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
