"""Database triggers refusing deletes and in-place edits of permanent records (see winnow.dbguards)."""

from django.db import migrations

from winnow import dbguards


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial"), ("audit", "0001_initial")]
    operations = [migrations.RunPython(dbguards.migrate_install, dbguards.migrate_uninstall)]
