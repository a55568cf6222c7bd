"""Database triggers that make Winnow's permanent records permanent even against raw SQL.

The models already refuse deletes and in-place edits; these triggers make the database refuse them too, on
PostgreSQL and on SQLite. They do not stop a database owner who drops them: in production, run Winnow as a
role that does not own the tables (see README, "Running at scale").
"""

from __future__ import annotations

from typing import Any

# table -> what the trigger forbids
APPEND_ONLY = [  # no UPDATE, no DELETE
    "audit_auditevent",
    "referrals_rawpackage",
    "referrals_importbatch",
    "referrals_statuschange",
    "referrals_subject",
    "referrals_identifier",
    "assessments_assessment",
    "assessments_banddecision",
    "assessments_youthpathwaydecision",
    "workload_assignment",
    "workload_caseaction",
    "linkage_referraldocument",
    "linkage_cybertiplinereport",
    "linkage_reportedperson",
    "linkage_reportedfile",
    "linkage_identifierlink",
    "linkage_knownelsewhere",
    "linkage_linkagerun",
    "linkage_linkproposal",
    "linkage_proposaldecision",
    "linkage_person",
    "linkage_merge",
    "linkage_personmembership",
    "linkage_mergeundo",
    "linkage_notification",
    "linkage_notificationread",
    "offenders_managedoffender",
    "offenders_plan",
    "offenders_contact",
    "offenders_review",
    "offenders_reactivedecision",
    "offenders_intelligencelink",
    "triage_hashset",
    "triage_hashentry",
    "triage_exhibit",
    "triage_scanresult",
    "triage_collectionsummary",
    "triage_unknownmediahash",
    "triage_suggestionconfirmation",
    "validation_subjectoutcome",
    "validation_outcomefollowup",
]
NO_DELETE = ["referrals_referral"]
# Referral columns fixed at intake; only status, closed_at, disposition and closure_reason change (forward only).
REFERRAL_INTAKE_COLUMNS = [
    "reference", "unit_id", "source", "source_reference", "received_at", "summary", "immediate_danger",
    "package_id", "package_locator", "created_at", "created_by_id",
]


def _sqlite(table: str, event: str, message: str, when: str = "") -> str:
    name = f"winnow_guard_{table}_{event.lower()}"
    when_sql = f" WHEN {when}" if when else ""
    message = message.replace("'", "''")
    return (
        f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON {table} FOR EACH ROW{when_sql} "
        f"BEGIN SELECT RAISE(ABORT, 'winnow: {message}'); END;"
    )


def sqlite_statements() -> list[str]:
    statements = []
    for table in APPEND_ONLY:
        statements.append(_sqlite(table, "UPDATE", f"{table} rows are never edited"))
        statements.append(_sqlite(table, "DELETE", f"{table} rows are never deleted"))
    for table in NO_DELETE:
        statements.append(_sqlite(table, "DELETE", f"{table} rows are never deleted"))
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in REFERRAL_INTAKE_COLUMNS)
    statements.append(_sqlite("referrals_referral", "UPDATE", "a referral's intake facts are never edited", changed))
    return statements


def postgresql_statements() -> list[str]:
    old = ", ".join(f"OLD.{c}" for c in REFERRAL_INTAKE_COLUMNS)
    new = ", ".join(f"NEW.{c}" for c in REFERRAL_INTAKE_COLUMNS)
    statements = [
        """CREATE OR REPLACE FUNCTION winnow_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'winnow: % rows are never %', TG_TABLE_NAME,
            CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'edited' END; END $$;""",
        f"""CREATE OR REPLACE FUNCTION winnow_referral_intake_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF ROW({new}) IS DISTINCT FROM ROW({old}) THEN
            RAISE EXCEPTION 'winnow: a referral''s intake facts are never edited';
          END IF;
          RETURN NEW;
        END $$;""",
    ]
    for table in APPEND_ONLY:
        statements.append(
            f"CREATE OR REPLACE TRIGGER winnow_guard BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION winnow_refuse();"
        )
    for table in NO_DELETE:
        statements.append(
            f"CREATE OR REPLACE TRIGGER winnow_guard BEFORE DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION winnow_refuse();"
        )
    statements.append(
        "CREATE OR REPLACE TRIGGER winnow_intake_guard BEFORE UPDATE ON referrals_referral "
        "FOR EACH ROW EXECUTE FUNCTION winnow_referral_intake_guard();"
    )
    return statements


def install(connection: Any) -> None:
    """Create (or replace) the guard on every listed table that exists; each app's migration calls this after
    creating its permanent tables, so the order apps migrate in does not matter."""
    existing = set(connection.introspection.table_names())
    statements = postgresql_statements() if connection.vendor == "postgresql" else sqlite_statements()
    with connection.cursor() as cursor:
        for sql in statements:
            if all(table in existing for table in _tables_named(sql)):
                cursor.execute(sql)


def _tables_named(sql: str) -> list[str]:
    return [table for table in [*APPEND_ONLY, *NO_DELETE] if f" ON {table} " in sql]


def uninstall(connection: Any) -> None:
    """For test teardown on SQLite, where Django's flush deletes rows (PostgreSQL's TRUNCATE fires no row triggers)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in [*APPEND_ONLY, *NO_DELETE]:
                cursor.execute(f"DROP TRIGGER IF EXISTS winnow_guard ON {table}")
            cursor.execute("DROP TRIGGER IF EXISTS winnow_intake_guard ON referrals_referral")
            return
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'winnow_guard_%'")
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def migrate_install(apps: Any, schema_editor: Any) -> None:
    """For each app's `0002_guards` migration: guard the tables that exist once the app's tables are created."""
    install(schema_editor.connection)


def migrate_uninstall(apps: Any, schema_editor: Any) -> None:
    uninstall(schema_editor.connection)
