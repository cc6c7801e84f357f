"""Parts that fail: a Redis of the test's own that it stops and starts, and mail pointed at a
port where nothing listens."""

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import warnings

import pytest
import redis
from django.conf import settings

from hrprogram.celery import app as celery_app
from security.ratelimit import CacheOutages, fallback_counts
from tests.conftest import database_url_for_other_processes


@pytest.fixture(autouse=True)
def forget_cache_outages():
    """A cache outage of one test must not make the next skip its (working) cache."""
    yield
    CacheOutages.last_at = None
    fallback_counts.clear()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A `redis-server` on a free port, with nothing saved to disk; `stop()` and `start()` it."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tmp_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail("redis-server did not start within 10 seconds")
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def own_redis(tmp_path):
    """A running Redis of this test's own; the test may stop and start it."""
    if shutil.which("redis-server") is None:
        pytest.skip("no redis-server binary")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cache_on(settings):
    """`cache_on(redis_url)`: the cache (rate limits, throttles) and /healthz use that Redis."""

    def point(url: str) -> None:
        settings.REDIS_URL = url
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }

    return point


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on (a mail server that is down)."""
    return free_port()


def use_broker(url: str) -> None:
    """Publish from this test process to the broker at `url` (pools opened for another are
    dropped)."""
    celery_app.conf.broker_url = url
    celery_app._after_fork()


@pytest.fixture
def broker_on():
    """`broker_on(redis_url)`: this process publishes there; put back after the test."""
    previous = celery_app.conf.broker_url
    yield use_broker
    use_broker(previous)


class Worker:
    """A real `celery worker` the test starts and stops, on the given broker, with mail going
    to files under `email_dir` or to an SMTP server at 127.0.0.1:`smtp_port`."""

    def __init__(self, *, broker_url: str, email_dir, smtp_port: int | None = None):
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url_for_other_processes(),
            "REDIS_URL": broker_url,
            # Mail retries after about a second instead of half a minute.
            "MAIL_RETRY_BACKOFF_SECONDS": "1",
        }
        if smtp_port is None:
            self.env["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
            self.env["EMAIL_FILE_PATH"] = str(email_dir)
        else:
            self.env["EMAIL_BACKEND"] = "django.core.mail.backends.smtp.EmailBackend"
            self.env["EMAIL_HOST"] = "127.0.0.1"
            self.env["EMAIL_PORT"] = str(smtp_port)
            self.env["EMAIL_TIMEOUT"] = "2"
        self.email_dir = email_dir
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
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
                f"resilience-{os.getpid()}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=self.env,
        )
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(timeout=0.5):
            if self.process.poll() is not None:
                pytest.fail(f"celery worker exited early with code {self.process.returncode}")
            if time.monotonic() > deadline:
                pytest.fail("celery worker did not answer a ping within 60 seconds")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@pytest.fixture
def worker_on(transactional_db, tmp_path):
    """`worker_on(broker_url, smtp_port=None)`: a real worker, not started yet; stopped after."""
    workers = []

    def make(broker_url: str, *, smtp_port: int | None = None) -> Worker:
        worker = Worker(broker_url=broker_url, email_dir=tmp_path / "mail", smtp_port=smtp_port)
        workers.append(worker)
        return worker

    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield make
    celery_app.conf.task_always_eager = previous
    for worker in workers:
        worker.stop()


def wait_until(condition, *, seconds: float = 60, what: str = "the worker") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not done within {seconds} seconds"
        time.sleep(0.3)


class SmtpServer:
    """A mail server that starts late: `start()` on the port the worker was told to use, then
    `messages` lists (to, subject) of what it took."""

    def __init__(self, port: int):
        self.port = port
        self.messages: list[tuple[str, str]] = []
        self._server = None
        self._thread = None

    def start(self) -> None:
        from email import message_from_bytes

        with warnings.catch_warnings():
            # Python 3.11's own small SMTP server, deprecated but enough for a test.
            warnings.simplefilter("ignore", DeprecationWarning)
            import asyncore
            import smtpd

        received = self.messages

        class Recorder(smtpd.SMTPServer):
            def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
                subject = message_from_bytes(data).get("Subject", "")
                received.extend((to, subject) for to in rcpttos)

        self._server = Recorder(("127.0.0.1", self.port), None, decode_data=False)
        self._thread = threading.Thread(target=asyncore.loop, kwargs={"timeout": 0.2}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.close()
