"""Guard triggers for the validation app's append-only tables (see winnow.dbguards)."""

from django.db import migrations

from winnow import dbguards


class Migration(migrations.Migration):
    dependencies = [("validation", "0001_initial"), ("referrals", "0002_guards")]
    operations = [migrations.RunPython(dbguards.migrate_install, migrations.RunPython.noop)]
