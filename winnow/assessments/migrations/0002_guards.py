"""Guard triggers for assessments, decisions and youth-pathway decisions (see winnow.dbguards)."""

from django.db import migrations

from winnow import dbguards


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [migrations.RunPython(dbguards.migrate_install, migrations.RunPython.noop)]
