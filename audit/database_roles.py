"""The two PostgreSQL roles of a deployment: the owner, which runs migrations, and the app's role.

The app (web, worker, beat) connects with a role that may read and write the tables it needs
and nothing more: it owns nothing (so it cannot alter, disable or drop a trigger), is no
superuser (so it cannot `SET session_replication_role = replica` to silence triggers), and on
the audit log it may only INSERT and SELECT. The trigger of audit/migrations/0003 then only
backs up what the grants already refuse.

`setup_app_role` runs as the owner after `migrate` (`manage.py setup_database_roles`, the
compose file's `migrate` service). It is idempotent: it creates the role if it is missing,
sets its password, grants on every table and sequence there is, and sets default privileges so
tables that later migrations create are granted too. It ends by checking the role and raises
`RoleError` if it could still change the audit log.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from audit.models import AuditEntry

TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"
SEQUENCE_RIGHTS = "USAGE, SELECT, UPDATE"
# Everything a table can grant that the audit log's readers and writers must not have.
AUDIT_REFUSED = ("UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")


class RoleError(Exception):
    """The app's role could not be set up, or it has more rights than it may."""


@dataclass(frozen=True)
class RoleCheck:
    """What `app_role_problems` found: an empty list means least privilege holds."""

    role: str
    problems: list[str]


def setup_app_role(connection: BaseDatabaseWrapper, *, role: str, password: str | None) -> None:
    """Create (or update) the app's role and grant it what the app needs, as the owner."""
    if connection.vendor != "postgresql":
        raise RoleError("Database roles exist only on PostgreSQL.")
    quote = connection.ops.quote_name
    app = quote(role)
    audit_table = quote(AuditEntry._meta.db_table)
    # All or nothing: a failed grant leaves the role as it was.
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database(), current_schema()")
        owner, database, schema = cursor.fetchone()
        if owner == role:
            raise RoleError(
                f"The app's role {role} must not be the role that runs migrations ({owner}): "
                "connect as the owner to set it up."
            )
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                f"CREATE ROLE {app} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
                "NOBYPASSRLS NOINHERIT"
            )
        elif row[0]:
            raise RoleError(f"The role {role} is a superuser; the app needs a role of its own.")
        if password:
            cursor.execute(f"ALTER ROLE {app} WITH LOGIN PASSWORD %s", [password])
        schema_name = quote(schema)
        statements = [
            f"GRANT CONNECT, TEMPORARY ON DATABASE {quote(database)} TO {app}",
            f"GRANT USAGE ON SCHEMA {schema_name} TO {app}",
            f"GRANT {TABLE_RIGHTS} ON ALL TABLES IN SCHEMA {schema_name} TO {app}",
            f"GRANT {SEQUENCE_RIGHTS} ON ALL SEQUENCES IN SCHEMA {schema_name} TO {app}",
            # Tables and sequences the owner creates later (the next migrations) likewise.
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema_name} "
            f"GRANT {TABLE_RIGHTS} ON TABLES TO {app}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema_name} "
            f"GRANT {SEQUENCE_RIGHTS} ON SEQUENCES TO {app}",
            # The audit log: append and read, nothing else, for the app and for anyone.
            f"REVOKE {', '.join(AUDIT_REFUSED)} ON {audit_table} FROM {app}, PUBLIC",
        ]
        for statement in statements:
            cursor.execute(statement)
    problems = app_role_problems(connection, role=role).problems
    if problems:
        raise RoleError(f"The role {role} has more rights than it may: " + "; ".join(problems))


def app_role_problems(connection: BaseDatabaseWrapper, *, role: str) -> RoleCheck:
    """Every way in which `role` could change the audit log or escape its grants."""
    audit_table = AuditEntry._meta.db_table
    problems = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls "
            "FROM pg_roles WHERE rolname = %s",
            [role],
        )
        row = cursor.fetchone()
        if row is None:
            return RoleCheck(role, [f"there is no role {role}"])
        for allowed, what in zip(
            row, ("superuser", "CREATEROLE", "CREATEDB", "REPLICATION", "BYPASSRLS"), strict=True
        ):
            if allowed:
                problems.append(f"it has {what}")
        # Owning the table, or being a member of a role that does, allows ALTER and DROP.
        cursor.execute(
            "SELECT pg_has_role(%s, tableowner, 'MEMBER') FROM pg_tables "
            "WHERE schemaname = current_schema() AND tablename = %s",
            [role, audit_table],
        )
        owns = cursor.fetchone()
        if owns and owns[0]:
            problems.append(f"it owns {audit_table} (or is a member of its owner)")
        for right in ("INSERT", "SELECT"):
            cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [role, audit_table, right])
            if not cursor.fetchone()[0]:
                problems.append(f"it lacks {right} on {audit_table}, which the app needs")
        for right in AUDIT_REFUSED:
            cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [role, audit_table, right])
            if cursor.fetchone()[0]:
                problems.append(f"it may {right} {audit_table}")
        # Before PostgreSQL 15 only superusers may set it, which is checked above.
        if connection.pg_version >= 150000:
            cursor.execute(
                "SELECT has_parameter_privilege(%s, 'session_replication_role', 'SET')", [role]
            )
            if cursor.fetchone()[0]:
                problems.append("it may SET session_replication_role (and so skip triggers)")
    return RoleCheck(role, problems)
