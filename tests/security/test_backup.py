"""`make backup` dumps the database and `make restore` brings the same rows back elsewhere."""

import os
import re
import subprocess
import uuid
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import psycopg2
import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection

from accounts.models import User
from audit.services import record_action
from encounters.models import Encounter
from participants.models import Participant
from supplies.models import StockMovement
from supplies.services import receive_shipment
from tests.conftest import PROGRAM_TODAY, database_url_for_other_processes
from tests.factories import EncounterFactory, ItemFactory, ParticipantFactory, UserFactory

COUNTED_TABLES = {
    "participants": Participant,
    "encounters": Encounter,
    "stock movements": StockMovement,
    "audit entries": "audit.AuditEntry",
}


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("backups are PostgreSQL dumps")


def _make(*args, env_extra, stdin=""):
    env = {**os.environ, **env_extra}
    return subprocess.run(
        ["make", "--no-print-directory", "-s", *args],
        cwd=settings.BASE_DIR,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _url_with_name(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


def _admin_connection():
    """A connection to the server's maintenance database, to create and drop databases."""
    db = connection.settings_dict
    maintenance = psycopg2.connect(
        dbname="postgres",
        user=db["USER"] or "postgres",
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    maintenance.autocommit = True
    return maintenance


def _counts(url: str) -> dict[str, int]:
    tables = {
        name: (apps.get_model(model) if isinstance(model, str) else model)._meta.db_table
        for name, model in COUNTED_TABLES.items()
    }
    with closing(psycopg2.connect(url)) as conn, conn.cursor() as cursor:
        counts = {}
        for name, table in tables.items():
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (fixed names)
            counts[name] = cursor.fetchone()[0]
        return counts


def _aliases(url: str) -> list[str]:
    with closing(psycopg2.connect(url)) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT alias FROM participants_participant ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def program_data(transactional_db, program_a, site_a):
    """Committed rows (the dump runs in another process): participants, visits, stock, audit."""
    manager = UserFactory(role=User.Role.MANAGER, program=program_a)
    item = ItemFactory(program=program_a)
    for number in range(3):
        receive_shipment(
            by=manager,
            location=site_a,
            item=item,
            quantity=100 + number,
            lot_number=f"L{number}",
            expires_on=PROGRAM_TODAY + timedelta(days=200),
        )
    for number in range(4):
        participant = ParticipantFactory(program=program_a, alias=f"Alias {number}")
        EncounterFactory(program=program_a, participant=participant, location=site_a, staff=manager)
    EncounterFactory(program=program_a, participant=None, location=site_a, staff=manager)
    record_action(actor=manager, action="tests.backup.marker", program=program_a)


def test_pg_client_matches_the_server_version(postgres_only, db):
    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    for tool in ("pg_dump", "pg_restore"):
        version = subprocess.run(
            [tool, "--version"], capture_output=True, text=True, check=True
        ).stdout
        client_major = int(re.search(r"\) (\d+)", version).group(1))
        assert client_major == server_major, f"{tool} {client_major}, server {server_major}"


def test_backup_restores_into_a_fresh_database_with_the_same_counts(
    postgres_only, program_data, tmp_path
):
    source_url = database_url_for_other_processes()
    expected = _counts(source_url)
    assert min(expected.values()) > 0

    backup = _make("backup", env_extra={"DATABASE_URL": source_url, "BACKUP_DIR": str(tmp_path)})

    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip())
    assert re.fullmatch(r"hrprogram-\d{8}T\d{6}Z\.dump", dump.name)
    assert dump.stat().st_size > 0
    assert dump.stat().st_mode & 0o077 == 0, "a dump of participant data must be private"

    fresh_name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    fresh_url = _url_with_name(source_url, fresh_name)
    with closing(_admin_connection()) as admin:
        admin.cursor().execute(f'CREATE DATABASE "{fresh_name}"')
        try:
            restore = _make(
                "restore",
                f"FILE={dump}",
                env_extra={"DATABASE_URL": fresh_url, "CONFIRM": "yes"},
            )
            assert restore.returncode == 0, restore.stderr
            assert _counts(fresh_url) == expected

            # A restore that is not confirmed changes nothing; a confirmed one puts rows back.
            with closing(psycopg2.connect(fresh_url)) as conn, conn, conn.cursor() as cursor:
                cursor.execute("UPDATE participants_participant SET alias = 'changed'")
            declined = _make(
                "restore", f"FILE={dump}", env_extra={"DATABASE_URL": fresh_url}, stdin="no\n"
            )
            assert declined.returncode != 0
            assert "cancelled" in declined.stderr
            assert set(_aliases(fresh_url)) == {"changed"}
            again = _make(
                "restore", f"FILE={dump}", env_extra={"DATABASE_URL": fresh_url}, stdin="yes\n"
            )
            assert again.returncode == 0, again.stderr
            assert _aliases(fresh_url) == _aliases(source_url)
        finally:
            admin.cursor().execute(f'DROP DATABASE IF EXISTS "{fresh_name}" WITH (FORCE)')


def test_restore_refuses_without_a_file(postgres_only):
    result = _make("restore", env_extra={"DATABASE_URL": database_url_for_other_processes()})

    assert result.returncode != 0
    assert "FILE=" in result.stderr


def test_backup_refuses_a_database_that_is_not_postgresql(tmp_path):
    result = _make(
        "backup", env_extra={"DATABASE_URL": "sqlite:///db.sqlite3", "BACKUP_DIR": str(tmp_path)}
    )

    assert result.returncode != 0
    assert "not PostgreSQL" in result.stderr
    assert not list(tmp_path.iterdir())


def test_backups_are_ignored_by_git():
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "backups/hrprogram-20260101T000000Z.dump"],
        cwd=settings.BASE_DIR,
        check=False,
    )
    if ignored.returncode == 128:
        pytest.skip("not a git checkout")
    assert ignored.returncode == 0
