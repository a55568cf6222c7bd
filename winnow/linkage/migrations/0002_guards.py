"""Guard triggers for the deconfliction tables (see winnow.dbguards): append-only against raw SQL too."""

from django.db import migrations

from winnow import dbguards


class Migration(migrations.Migration):
    dependencies = [("linkage", "0001_initial"), ("referrals", "0002_guards")]
    operations = [migrations.RunPython(dbguards.migrate_install, migrations.RunPython.noop)]
