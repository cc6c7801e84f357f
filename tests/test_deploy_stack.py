"""The deploy check: docker-compose.yml's services, run as written, outside containers.

No container runs on CI, so this runs what the containers would: it validates the compose file
with Debian's `docker-compose config` (with an .env made from .env.example), takes every
service's command, environment and health check from that output, and runs them on this machine
against the test PostgreSQL and Redis: `migrate` (migrations as the owner, then the app's role),
the Dockerfile's own `collectstatic` line, gunicorn, the Celery worker, beat, and Caddy from
Debian's package in front of gunicorn with its internal CA. Every health check command runs
exactly as written; then a person signs in through Caddy over HTTPS.

What has to differ outside a container is mapped, and only that (`ContainerMap`): the host
names postgres, redis and web become 127.0.0.1, ports 8000, 80 and 443 become free loopback
ports, /tmp becomes a temporary directory, files mounted into a container are read from the
checkout, and the static files are collected into a temporary STATIC_ROOT. Everything started
here is stopped, the database and role it made are dropped.
"""

import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import pytest
import requests
import yaml
from django.conf import settings
from django.db import connection

pytestmark = [pytest.mark.deploy, pytest.mark.real_clock]

BASE_DIR = Path(settings.BASE_DIR)
APP_SERVICES = ("migrate", "web", "worker", "beat")
LONG_RUNNING = ("web", "worker", "beat", "caddy")
# How long each step may take on a busy 2-core machine before the check fails.
MIGRATE_SECONDS = 600
COLLECTSTATIC_SECONDS = 300
HEALTHY_SECONDS = 180


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ContainerMap:
    """What a name or path inside a container is on this machine."""

    tmp: Path
    web_port: int
    https_port: int
    http_port: int
    redis_url: str
    static_root: Path
    files: dict[str, str] = field(default_factory=dict)  # mounted file -> its copy here

    def text(self, value: str) -> str:
        """The value with every name and path of the container replaced, in one pass."""
        replacements = {
            **self.files,
            "$$": "$",  # compose's escape for a literal $
            "redis://redis:6379/0": self.redis_url,
            "0.0.0.0:8000": f"127.0.0.1:{self.web_port}",
            "127.0.0.1:8000": f"127.0.0.1:{self.web_port}",
            "web:8000": f"127.0.0.1:{self.web_port}",
            "/tmp/": f"{self.tmp}/",  # noqa: S108 (the container's /tmp, mapped)
        }
        pattern = "|".join(re.escape(inside) for inside in replacements)
        return re.sub(pattern, lambda match: replacements[match.group(0)], value)

    def command(self, argv: list[str]) -> list[str]:
        return [self.text(arg) for arg in argv]

    def environment(self, service: dict) -> dict[str, str]:
        env = {key: self.text(str(value)) for key, value in service.get("environment", {}).items()}
        return {
            "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
            "HOME": str(self.tmp),
            "LANG": "C.UTF-8",
            # The worker names itself after the host: celery@$HOSTNAME.
            "HOSTNAME": socket.gethostname(),
            # The image's ENV lines.
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "STATIC_ROOT": str(self.static_root),
            **env,
        }

    def healthcheck(self, service: dict) -> list[str] | None:
        test = service.get("healthcheck", {}).get("test")
        if not test or test[0] == "NONE":
            return None
        kind, *argv = test
        if kind == "CMD-SHELL":
            return ["sh", "-c", self.text(argv[0])]
        assert kind == "CMD", test
        return self.command(argv)


@dataclass
class Deployment:
    compose: dict
    where: ContainerMap
    database: str
    app_role: str
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def service(self, name: str) -> dict:
        return self.compose["services"][name]

    def env(self, name: str, **extra: str) -> dict[str, str]:
        return {**self.where.environment(self.service(name)), **extra}

    def run(self, name: str, argv: list[str], timeout: float, **extra: str):
        return subprocess.run(
            argv,
            cwd=BASE_DIR,
            env=self.env(name, **extra),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(self, name: str, **extra: str) -> None:
        log = open(self.where.tmp / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        self.processes[name] = subprocess.Popen(
            self.where.command(self.service(name)["command"]),
            cwd=BASE_DIR,
            env=self.env(name, **extra),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with all its children
        )
        log.close()

    def log(self, name: str) -> str:
        path = self.where.tmp / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop_all(self) -> None:
        for process in self.processes.values():
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def wait_until_healthy(self, name: str, **extra: str) -> None:
        """Run the service's health check as written until it passes."""
        argv = self.where.healthcheck(self.service(name))
        assert argv, f"{name} has no health check"
        deadline = time.monotonic() + HEALTHY_SECONDS
        while True:
            process = self.processes.get(name)
            if process is not None and process.poll() is not None:
                pytest.fail(f"{name} exited with {process.returncode}:\n{self.log(name)}")
            result = self.run(name, argv, timeout=60, **extra)
            if result.returncode == 0:
                return
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the health check of {name} ({shlex.join(argv)}) still fails after "
                    f"{HEALTHY_SECONDS} s: {result.stdout}{result.stderr}\n{self.log(name)}"
                )
            time.sleep(2)


def example_env(tmp: Path, *, database: str, app_role: str) -> str:
    """.env.example with its REQUIRED values filled in for this machine."""
    db = connection.settings_dict
    values = {
        "DOMAIN": "localhost",
        "CADDY_TLS": "internal",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PARTICIPANT_CODE_SECRET": secrets.token_urlsafe(50),
        "REPORT_DISCLOSURE_KEY": secrets.token_urlsafe(50),
        "POSTGRES_PASSWORD": db["PASSWORD"] or secrets.token_urlsafe(16),
        "APP_DATABASE_PASSWORD": secrets.token_urlsafe(16),
        "DATABASE_HOST": db["HOST"] or "127.0.0.1",
        "DATABASE_PORT": str(db["PORT"] or 5432),
        "DATABASE_NAME": database,
        "DATABASE_OWNER": db["USER"] or "postgres",
        "APP_DATABASE_USER": app_role,
        # Nothing is mailed here; a message would land in this directory.
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp / "mail"),
    }
    lines = []
    for line in (BASE_DIR / ".env.example").read_text().splitlines():
        name = re.match(r"#?([A-Z_]+)=", line)
        if name and name.group(1) in values:
            line = f"{name.group(1)}={values.pop(name.group(1))}"
        lines.append(line)
    lines += [f"{name}={value}" for name, value in values.items()]
    return "\n".join(lines) + "\n"


def compose_config(tmp: Path, env_text: str) -> dict:
    """`docker-compose config` of a copy of the compose file, beside the example .env."""
    for name in ("docker-compose.yml", "Caddyfile"):
        shutil.copy(BASE_DIR / name, tmp / name)
    (tmp / ".env").write_text(env_text)
    result = subprocess.run(
        [
            "docker-compose",
            "--project-directory",
            str(tmp),
            "-f",
            str(tmp / "docker-compose.yml"),
            "config",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"docker-compose config refused the file:\n{result.stderr}"
    return yaml.safe_load(result.stdout)


def collectstatic_line() -> str:
    """The Dockerfile's RUN line that collects the static files, as the image build runs it."""
    text = (BASE_DIR / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [
        line for line in text.splitlines() if line.startswith("RUN ") and "collectstatic" in line
    ]
    assert len(lines) == 1, "the Dockerfile should collect the static files in one RUN line"
    return lines[0].removeprefix("RUN ")


def drop_database_and_role(database: str, role: str) -> None:
    conn = owner_connection("postgres")
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [database],
            )
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(database)}")
            cursor.execute(f"DROP ROLE IF EXISTS {connection.ops.quote_name(role)}")
    finally:
        conn.close()


def owner_connection(database: str):
    """A connection as the suite's own user (the owner), outside any test transaction."""
    db = connection.settings_dict
    conn = psycopg2.connect(
        dbname=database,
        user=db["USER"] or "postgres",
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    conn.autocommit = True
    return conn


@pytest.fixture
def deployment(tmp_path):
    for tool in ("docker-compose", "caddy", "pg_isready", "redis-cli"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: `make test` installs it (Debian packages).")
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.fail(
            "the deploy check needs the test PostgreSQL and Redis (DATABASE_URL, REDIS_URL)"
        )
    suffix = secrets.token_hex(4)
    database, app_role = f"hrprogram_deploy_{suffix}", f"hrprogram_deploy_{suffix}_app"
    env_text = example_env(tmp_path, database=database, app_role=app_role)
    compose = compose_config(tmp_path, env_text)
    caddyfile = tmp_path / "Caddyfile.here"
    where = ContainerMap(
        tmp=tmp_path,
        web_port=free_port(),
        https_port=free_port(),
        http_port=free_port(),
        redis_url=settings.REDIS_URL,
        static_root=tmp_path / "staticfiles",
    )
    for volume in compose["services"]["caddy"]["volumes"]:
        source, inside = volume.split(":")[:2]
        if source.endswith("/Caddyfile"):
            caddyfile.write_text(where.text(Path(source).read_text()))
            where.files[inside] = str(caddyfile)
    deployment = Deployment(compose=compose, where=where, database=database, app_role=app_role)
    # What the postgres container does at its first start (POSTGRES_DB).
    conn = owner_connection("postgres")
    try:
        with conn.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(database)}")
    finally:
        conn.close()
    with ExitStack() as cleanup:
        cleanup.callback(drop_database_and_role, database, app_role)
        cleanup.callback(deployment.stop_all)
        yield deployment


def test_the_compose_stack_runs_stays_healthy_and_signs_people_in_over_https(deployment):
    compose, where = deployment.compose, deployment.where
    assert set(compose["services"]) == {
        "caddy",
        "migrate",
        "web",
        "worker",
        "beat",
        "postgres",
        "redis",
    }
    for name in ("web", "worker", "beat"):
        depends = deployment.service(name)["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        # The owner's password never reaches the app's own containers.
        env = deployment.service(name)["environment"]
        assert env["POSTGRES_PASSWORD"] == "", name
        assert deployment.app_role in env["DATABASE_URL"], name

    # The postgres and redis services' own health checks, against this machine's servers (the
    # postgres container would answer on its own socket: here it is PGHOST's address).
    db = connection.settings_dict
    postgres_here = {"PGHOST": db["HOST"] or "127.0.0.1", "PGPORT": str(db["PORT"] or 5432)}
    deployment.wait_until_healthy("postgres", **postgres_here)
    deployment.wait_until_healthy("redis")

    migrate = deployment.run(
        "migrate", where.command(deployment.service("migrate")["command"]), MIGRATE_SECONDS
    )
    assert migrate.returncode == 0, migrate.stdout[-3000:] + migrate.stderr[-3000:]
    assert "only INSERT and SELECT" in migrate.stdout

    collect = subprocess.run(
        ["sh", "-c", collectstatic_line()],
        cwd=BASE_DIR,
        env={"PATH": deployment.env("web")["PATH"], "STATIC_ROOT": str(where.static_root)},
        capture_output=True,
        text=True,
        timeout=COLLECTSTATIC_SECONDS,
        check=False,
    )
    assert collect.returncode == 0, collect.stdout[-3000:] + collect.stderr[-3000:]
    assert (where.static_root / "staticfiles.json").exists()

    for name in ("web", "worker", "beat"):
        deployment.start(name)
    deployment.start(
        "caddy",
        CADDY_HTTP_PORT=str(where.http_port),
        CADDY_HTTPS_PORT=str(where.https_port),
        CADDY_BIND="127.0.0.1",
        XDG_DATA_HOME=str(where.tmp / "caddy-data"),
        XDG_CONFIG_HOME=str(where.tmp / "caddy-config"),
    )
    for name in ("web", "worker", "beat"):
        deployment.wait_until_healthy(name)

    # A person the app's own role creates, as `manage.py createsuperuser` would.
    password = secrets.token_urlsafe(16)
    create = deployment.run(
        "web",
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", CREATE_OUTREACH_WORKER],
        timeout=120,
        DEPLOY_CHECK_PASSWORD=password,
    )
    assert create.returncode == 0, create.stderr

    sign_in_through_caddy(deployment, password)


CREATE_OUTREACH_WORKER = """
import os
from accounts.models import Location, Program, User
program = Program.objects.create(name="Deploy check program")
site = Location.objects.create(program=program, name="Deploy check site")
user = User.objects.create_user(
    "deploy_check", password=os.environ["DEPLOY_CHECK_PASSWORD"], first_name="Robin",
    role=User.Role.OUTREACH, program=program,
)
user.locations.add(site)
"""


def caddy_root_certificate(deployment: Deployment) -> str:
    """Caddy's internal CA, which a browser of the program would be told to trust."""
    root = deployment.where.tmp / "caddy-data/caddy/pki/authorities/local/root.crt"
    deadline = time.monotonic() + HEALTHY_SECONDS
    while not root.exists():
        caddy = deployment.processes["caddy"]
        if caddy.poll() is not None:
            pytest.fail(f"caddy exited with {caddy.returncode}:\n{deployment.log('caddy')}")
        if time.monotonic() > deadline:
            pytest.fail(f"caddy made no certificate:\n{deployment.log('caddy')}")
        time.sleep(1)
    return str(root)


def sign_in_through_caddy(deployment: Deployment, password: str) -> None:
    where = deployment.where
    origin = f"https://localhost:{where.https_port}"
    session = requests.Session()
    # Only Caddy's CA, and no proxy or CA bundle from the environment (which would win).
    session.trust_env = False
    session.verify = caddy_root_certificate(deployment)

    # Plain HTTP is sent to HTTPS by Caddy.
    plain = session.get(
        f"http://localhost:{where.http_port}/accounts/login/", allow_redirects=False, timeout=30
    )
    assert plain.status_code in (301, 308), plain.status_code
    assert plain.headers["Location"].startswith("https://localhost")

    deadline = time.monotonic() + HEALTHY_SECONDS
    while True:
        try:
            login_page = session.get(f"{origin}/accounts/login/", timeout=30)
            break
        except requests.exceptions.SSLError:
            # Caddy may still be issuing the site's certificate.
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
    assert login_page.status_code == 200, login_page.text[:500]
    assert "no-store" in login_page.headers["Cache-Control"]
    assert login_page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    # The app's static files are served (collected, hashed, compressed) through the proxy.
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', login_page.text).group(1)
    assert session.get(f"{origin}{stylesheet}", timeout=30).status_code == 200

    signed_in = session.post(
        f"{origin}/accounts/login/",
        data={
            "username": "deploy_check",
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        # A forged address: the app believes only what Caddy, its one proxy, adds.
        headers={"Referer": f"{origin}/accounts/login/", "X-Forwarded-For": "203.0.113.9"},
        timeout=30,
    )
    assert signed_in.status_code == 200, signed_in.text[:2000]
    assert signed_in.url == f"{origin}/", signed_in.url
    assert "Robin" in signed_in.text
    assert "no-store" in signed_in.headers["Cache-Control"]
    assert session.cookies.get("sessionid") is not None

    # The whole /healthz through the proxy: database, Redis and the worker all answer.
    health = session.get(f"{origin}/healthz", timeout=30).json()
    assert health["status"] == "ok"
    assert health["checks"] == {"database": "up", "redis": "up", "celery": "up"}
    assert health["degraded"] == []
    assert health["outbox"]["waiting"] == 0

    conn = owner_connection(deployment.database)
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT host(ip_address) FROM audit_auditentry"
                " WHERE action = 'accounts.user.signed_in'"
            )
            assert cursor.fetchall() == [("127.0.0.1",)]
    finally:
        conn.close()
