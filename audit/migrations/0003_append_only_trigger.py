"""The database itself refuses to change or remove an audit entry (PostgreSQL only).

The model and its queryset already refuse; this trigger also stops raw SQL, a shell, or any
other client with the application's credentials. TRUNCATE is left alone on purpose: Django's
test runner empties tables with it between transactional tests. A database superuser can still
drop the trigger; production can go further with a role that has no UPDATE/DELETE grant.
On SQLite (the newcomer's `make run`) the operation does nothing.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'The audit log is append-only: % of an audit entry is refused.', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_entry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""


class PostgreSQLOnlyRunSQL(migrations.RunSQL):
    """RunSQL that applies (and reverses) only on PostgreSQL and skips other databases."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_program_newest_first")]

    operations = [PostgreSQLOnlyRunSQL(sql=CREATE, reverse_sql=DROP)]
