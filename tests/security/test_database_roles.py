"""The app's database role can append to the audit log and read it, and nothing else there.

The suite itself connects as the owner (pytest-django creates, migrates and empties the test
database, which needs owner rights). These tests set up the app's role on the test database
with the same code the compose file's `migrate` service runs (`setup_database_roles`), then
open a second connection as that role and try every way around the append-only log. The real
Celery worker of the `worker` tests and the deploy check's services connect as that role too.
"""

import secrets

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.database_roles import RoleError, app_role_problems, setup_app_role
from audit.models import AuditEntry
from audit.services import record_action
from tests.conftest import app_role_for_test_database, connect_as

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def app_role():
    with app_role_for_test_database() as role:
        yield role


@pytest.fixture
def as_app(app_role):
    """A connection to the test database as the app's role, in autocommit mode."""
    conn = connect_as(app_role.name, app_role.password)
    yield conn
    conn.close()


@pytest.fixture
def entry(manager_a):
    return record_action(actor=manager_a, action="test.entry", program=manager_a.program)


def run(conn, statement: str, params=()) -> None:
    with conn.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_app_role_appends_to_the_audit_log_and_reads_it(as_app, entry):
    run(
        as_app,
        "INSERT INTO audit_auditentry (at, action, object_type, object_id, details)"
        " VALUES (now(), 'test.by.app', '', '', '{}')",
    )
    with as_app.cursor() as cursor:
        cursor.execute("SELECT action FROM audit_auditentry ORDER BY id")
        assert [row[0] for row in cursor.fetchall()] == ["test.entry", "test.by.app"]


def test_the_app_role_reads_and_writes_the_other_tables(as_app, manager_a):
    run(as_app, "UPDATE accounts_user SET first_name = 'Alex' WHERE id = %s", [manager_a.pk])

    manager_a.refresh_from_db()
    assert manager_a.first_name == "Alex"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditentry SET action = 'forged'",
        "DELETE FROM audit_auditentry",
        "TRUNCATE audit_auditentry",
        "ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only",
        "ALTER TABLE audit_auditentry DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_entry_append_only ON audit_auditentry",
        "SET session_replication_role = replica",
        "DROP TABLE audit_auditentry",
    ],
)
def test_the_app_role_cannot_change_or_remove_the_audit_log(as_app, entry, statement):
    with pytest.raises(psycopg2.errors.InsufficientPrivilege) as refused:
        run(as_app, statement)

    # Refused by the grants, before the append-only trigger would have had to.
    assert "append-only" not in str(refused.value)

    entry.refresh_from_db()
    assert entry.action == "test.entry"
    assert AuditEntry.objects.count() == 1


def test_the_app_role_is_no_superuser_and_owns_nothing(app_role):
    assert app_role_problems(connection, role=app_role.name).problems == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = %s",
            [app_role.name],
        )
        assert cursor.fetchone() == (False, False, False)
        cursor.execute("SELECT count(*) FROM pg_tables WHERE tableowner = %s", [app_role.name])
        assert cursor.fetchone() == (0,)


def test_setting_up_again_changes_nothing_and_grants_later_tables(app_role):
    setup_app_role(connection, role=app_role.name, password=app_role.password)
    with connection.cursor() as cursor:
        # A table a later migration creates is granted by the default privileges.
        cursor.execute("CREATE TABLE later_migration_table (id bigserial PRIMARY KEY)")
        try:
            cursor.execute(
                "SELECT has_table_privilege(%s, 'later_migration_table', 'INSERT')",
                [app_role.name],
            )
            assert cursor.fetchone() == (True,)
        finally:
            cursor.execute("DROP TABLE later_migration_table")
    assert app_role_problems(connection, role=app_role.name).problems == []


def test_a_right_granted_by_hand_is_found_and_the_next_setup_takes_it_back(app_role):
    with connection.cursor() as cursor:
        cursor.execute(f'GRANT UPDATE, TRUNCATE ON audit_auditentry TO "{app_role.name}"')

    problems = app_role_problems(connection, role=app_role.name).problems
    assert problems == ["it may UPDATE audit_auditentry", "it may TRUNCATE audit_auditentry"]

    setup_app_role(connection, role=app_role.name, password=None)
    assert app_role_problems(connection, role=app_role.name).problems == []


def test_the_owner_or_a_superuser_is_refused_as_the_app_role():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (owner,) = cursor.fetchone()

    with pytest.raises(RoleError, match="must not be the role that runs migrations"):
        setup_app_role(connection, role=owner, password=None)


def test_the_command_needs_the_apps_connection(monkeypatch):
    monkeypatch.delenv("APP_DATABASE_URL", raising=False)

    with pytest.raises(CommandError, match="Set APP_DATABASE_URL"):
        call_command("setup_database_roles", app_database_url="")
    with pytest.raises(CommandError, match="is for database 'elsewhere'"):
        call_command(
            "setup_database_roles",
            app_database_url=f"postgres://app:{secrets.token_hex(4)}@127.0.0.1:5432/elsewhere",
        )
