"""Named people of two programs, as every access test needs them.

Program A has an outreach worker and a manager; program B has an outreach worker; a funder and
an administrator belong to no program.
"""

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import psycopg2
import pytest
import time_machine
from celery.exceptions import Retry
from django.conf import settings
from django.core.signals import setting_changed
from django.db import connection
from django.test import Client
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from accounts.models import Location, User
from audit.database_roles import setup_app_role
from hrprogram.celery import app as celery_app
from tests.factories import LocationFactory, ProgramFactory, UserFactory
from tests.two_factor import verify_second_factor_in_session


def _redis_database_per_xdist_worker() -> None:
    """Give each pytest-xdist worker a Redis database of its own, counting down from the one in
    REDIS_URL (gw0 keeps it, gw1 takes the one below...), so that parallel workers share no
    broker queue, cache, throttle counter or rate limit. The settings are read before this
    conftest, hence the change here (and the signal that rebuilds the cache connections)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not settings.REDIS_URL or not worker.startswith("gw"):
        return
    url = urlsplit(settings.REDIS_URL)
    base = int(url.path.strip("/") or 0)
    database = (base - int(worker.removeprefix("gw"))) % 16
    redis_url = urlunsplit(url._replace(path=f"/{database}"))
    settings.REDIS_URL = settings.CELERY_BROKER_URL = settings.CELERY_RESULT_BACKEND = redis_url
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": redis_url},
    }
    setting_changed.send(sender=None, setting="CACHES", value=settings.CACHES, enter=True)
    celery_app.conf.update(broker_url=redis_url, result_backend=redis_url)


_redis_database_per_xdist_worker()


def pytest_report_header(config):
    database = settings.DATABASES["default"]
    where = database["HOST"] or "local file"
    return [
        f"database: {database['ENGINE'].rsplit('.', 1)[-1]} ({where})",
        f"celery broker: {settings.CELERY_BROKER_URL.split('@')[-1]}",
    ]


# Property tests: the suite's profile ("suite", the default) keeps every property, its explicit
# examples and its strategies, and draws fewer random examples where each one costs database
# work (`examples(n)`: two fifths of n, at least 5); HYPOTHESIS_PROFILE=thorough draws the full
# n, for a run before a release or after a change to what a property guards. Neither keeps an
# example database: parallel workers would write to it at once.
hypothesis_settings.register_profile("suite", database=None)
hypothesis_settings.register_profile("thorough", database=None)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "suite")
hypothesis_settings.load_profile(HYPOTHESIS_PROFILE)


def examples(thorough: int) -> int:
    """How many random examples a costly property draws under the loaded profile."""
    return thorough if HYPOTHESIS_PROFILE == "thorough" else max(5, thorough * 2 // 5)


# 23:30 on 9 March in New York (the programs' default zone) and already 10 March in UTC: a test
# under this clock fails if it takes the server's date where the program's is meant. Every test
# runs under it unless marked `real_clock` (see pinned_clock).
PROGRAM_EVENING = datetime(2026, 3, 10, 3, 30, tzinfo=UTC)
# The test programs' zone (the default of Program.timezone) and their date under that clock.
PROGRAM_ZONE = ZoneInfo("America/New_York")
PROGRAM_TODAY = PROGRAM_EVENING.astimezone(PROGRAM_ZONE).date()  # 9 March 2026


REAL_CLOCK_MARKERS = ("real_clock", "worker", "browser")


@pytest.fixture(autouse=True)
def pinned_clock(request):
    """Every test runs at PROGRAM_EVENING, the clock ticking from there, so the suite passes
    at any hour of the real day. Tests marked `real_clock` keep the real clock, and so do tests
    with another process whose clock cannot be pinned: a real Celery worker (`worker`), and
    Chromium (`browser`), whose page and service worker stamp the encounters they queue. A test
    that needs another moment travels again inside this one (`time_machine.travel(...)`)."""
    if any(request.node.get_closest_marker(name) for name in REAL_CLOCK_MARKERS):
        yield None
        return
    with time_machine.travel(PROGRAM_EVENING, tick=True) as traveller:
        yield traveller


@pytest.fixture
def program_evening(pinned_clock):
    """The pinned clock, for a test that says it depends on the program's evening."""
    return pinned_clock


@pytest.fixture(autouse=True)
def default_language():
    """A request handled by a test leaves its language active in the thread (a server's next
    request activates its own); the next test starts from the default again."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def eager_celery():
    """Tasks run in-process unless a test asks for the real worker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def force_login_passes_two_factor(monkeypatch):
    """`client.force_login(user)` signs in as if the person had also typed their code.

    Managers, funders and admins must pass two-factor before any page; the tests of other
    features are not about that, so they get a verified session. The tests of two-factor itself
    sign in through the forms (tests/security/test_two_factor.py).
    """
    sign_in = Client.force_login

    def force_login(self, user, backend=None):
        sign_in(self, user, backend)
        verify_second_factor_in_session(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def program_a():
    return ProgramFactory(name="Program A")


@pytest.fixture
def program_b():
    return ProgramFactory(name="Program B")


@pytest.fixture
def site_a(program_a):
    return LocationFactory(program=program_a, name="A Drop-in", kind=Location.Kind.FIXED_SITE)


@pytest.fixture
def van_a(program_a):
    return LocationFactory(program=program_a, name="A Van", kind=Location.Kind.MOBILE_UNIT)


@pytest.fixture
def site_b(program_b):
    return LocationFactory(program=program_b, name="B Drop-in", kind=Location.Kind.FIXED_SITE)


@pytest.fixture
def outreach_a(program_a, site_a):
    return UserFactory(
        username="outreach_a", role=User.Role.OUTREACH, program=program_a, locations=[site_a]
    )


@pytest.fixture
def manager_a(program_a):
    return UserFactory(username="manager_a", role=User.Role.MANAGER, program=program_a)


@pytest.fixture
def outreach_b(program_b, site_b):
    return UserFactory(
        username="outreach_b", role=User.Role.OUTREACH, program=program_b, locations=[site_b]
    )


@pytest.fixture
def funder():
    return UserFactory(username="funder", role=User.Role.FUNDER, program=None)


@pytest.fixture
def admin_user():
    return UserFactory(
        username="admin", role=User.Role.ADMIN, program=None, is_staff=True, is_superuser=True
    )


@pytest.fixture
def refusing_mail_server(settings, mailoutbox):
    """The test mail server (`mailoutbox`), which refuses the next messages to an address once
    told `refusing_mail_server.refuse("someone@example.org", times=1)`, and every message to an
    address it was told it does not know (`refuse_recipient("someone@example.org")`)."""
    from tests.mail import RefusingEmailBackend

    settings.EMAIL_BACKEND = "tests.mail.RefusingEmailBackend"
    RefusingEmailBackend.refusals.clear()
    RefusingEmailBackend.unknown.clear()

    class Server:
        @staticmethod
        def refuse(address: str, *, times: int) -> None:
            RefusingEmailBackend.refusals[address] = times

        @staticmethod
        def refuse_recipient(address: str) -> None:
            RefusingEmailBackend.unknown.add(address)

        @staticmethod
        def recover() -> None:
            RefusingEmailBackend.refusals.clear()

    yield Server
    RefusingEmailBackend.refusals.clear()
    RefusingEmailBackend.unknown.clear()


@pytest.fixture
def run_queued(django_capture_on_commit_callbacks):
    """`run_queued(block)` runs `block`, then what it queued after commit, then what those
    queued, each on its own as separate worker processes would: one task failing does not stop
    the others, and a task that asks to be retried is run again (at once, not after its
    backoff) until it succeeds or runs out of retries. Returns the errors it finally raised."""

    def run(block: Callable[[], object]) -> list[Exception]:
        errors = []
        pending = [block]
        while pending:
            with django_capture_on_commit_callbacks() as queued:
                try:
                    pending.pop(0)()
                except Retry as retry:  # eager Celery raises it instead of queueing the retry
                    pending.append(retry.sig.apply)
                except Exception as error:
                    errors.append(error)
            pending.extend(queued)
        return errors

    return run


@dataclass(frozen=True)
class AppRole:
    name: str
    password: str


@contextmanager
def app_role_for_test_database():
    """The app's least-privilege role on the test database, set up as the `migrate` service
    does (audit.database_roles), and dropped afterwards. Roles belong to the whole PostgreSQL
    server, so the name is the test database's (one per xdist worker and checkout). The caller
    must commit what the role should see (`transactional_db`)."""
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("database roles exist only on PostgreSQL")
    role = AppRole(name=f"{db['NAME']}_app", password=secrets.token_urlsafe(24))
    setup_app_role(connection, role=role.name, password=role.password)
    try:
        yield role
    finally:
        name = connection.ops.quote_name(role.name)
        with connection.cursor() as cursor:
            # Its other sessions (a worker that has just stopped) must be gone before the drop.
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
                [role.name],
            )
            cursor.execute(f"DROP OWNED BY {name}")
            cursor.execute(f"DROP ROLE {name}")


def connect_as(user: str, password: str):
    """A psycopg2 connection (autocommit) to the test database as `user`."""
    db = connection.settings_dict
    conn = psycopg2.connect(
        dbname=db["NAME"],
        user=user,
        password=password,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    conn.autocommit = True
    return conn


def database_url_for_other_processes(role: AppRole | None = None) -> str:
    """The test database as a URL, for a worker or server started as a subprocess: as `role`
    when given (the app's role), else as the suite's own user."""
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("a separate process can share only a PostgreSQL test database")
    user = role.name if role else db["USER"] or "postgres"
    password = role.password if role else db["PASSWORD"]
    password = f":{quote(password, safe='')}" if password else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """A real `celery worker` subprocess on the test Redis broker, stopped after the test.

    Tasks it runs see the test database, so the test must commit what they read
    (hence `transactional_db`); it connects as the app's least-privilege role, as in
    production. Mail it sends is written under `worker.email_dir`.
    """
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: no broker for a real worker")
    with app_role_for_test_database() as role:
        yield from _worker_connected_as(role, tmp_path)


def _worker_connected_as(role: AppRole, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_other_processes(role),
        "REDIS_URL": settings.REDIS_URL,
        # Mail the worker sends lands in files the test can read.
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    hostname = f"test-worker-{os.getpid()}@%h"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "hrprogram",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-mingle",
            "--without-gossip",
            "-n",
            hostname,
        ],
        cwd=settings.BASE_DIR,
        env=env,
    )
    worker.email_dir = tmp_path / "mail"
    celery_app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + 30
        while not celery_app.control.ping(timeout=0.5):
            if worker.poll() is not None:
                pytest.fail(f"celery worker exited early with code {worker.returncode}")
            if time.monotonic() > deadline:
                pytest.fail("celery worker did not answer a ping within 30 seconds")
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
