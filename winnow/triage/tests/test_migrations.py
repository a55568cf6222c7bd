from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_it_has_no_missing_migrations() -> None:
    out = StringIO()
    call_command("makemigrations", "triage", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_sha256_migration_keeps_every_existing_entry_and_adds_an_empty_sha256() -> None:
    """0004 adds HashEntry.sha256 and HashSet.distinct_sha256 to tables that already hold hash sets; entries
    imported before it keep their MD5/SHA-1 and read as having no SHA-256 (never a made-up one)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from winnow import permanence

    before = [("triage", "0003_category_conflicts_and_segments")]
    after = [("triage", "0004_sha256")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        hash_set = old.get_model("triage", "HashSet").objects.create(
            name="Older set", kind="reference", format="md5deep", scheme="none", source_filename="md5deep.txt",
            sha256="a" * 64, size_bytes=10, entries=1, distinct_md5=1)
        old.get_model("triage", "HashEntry").objects.create(hash_set_id=hash_set.pk, position=1, md5="b" * 32)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
        permanence.install(connection)  # SQLite rebuilt the tables; put the guards back as every migrate does
    try:
        from winnow.triage.models import HashEntry, HashSet

        migrated = HashSet.objects.get(name="Older set")
        assert (migrated.distinct_md5, migrated.distinct_sha256) == (1, None)
        entry = HashEntry.objects.get(hash_set=migrated)
        assert (entry.md5, entry.sha1, entry.sha256) == ("b" * 32, None, None)
        HashEntry.objects.create(hash_set=migrated, position=2, sha256="c" * 64)
        assert HashEntry.objects.filter(sha256="c" * 64).count() == 1
    finally:
        if connection.vendor == "sqlite":
            permanence.uninstall(connection)  # Django's flush deletes rows; its post_migrate puts the guards back
