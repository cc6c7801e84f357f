"""A bounded load test: `make bench`, after reports.py, on the same database.

Starts gunicorn on loopback against the bench database (production settings: DEBUG off), then
runs locust headless (bench/locustfile.py): BENCH_LOAD_WORKERS (50) outreach workers saving
encounters with the usual bundle through the API and searching participants, and
BENCH_LOAD_MANAGERS (5) managers opening dashboards of every period kind, for
BENCH_LOAD_SECONDS (120). Prints requests per second, p50/p95/p99 of the encounter save, the
search and the dashboard, the errors, and checks afterwards that the stock ledger is exact:
every stock level equals the sum of its movements, and every supply line saved under load
took exactly its quantity out of stock. Numbers only; it fails only when the ledger is wrong.
"""

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import encounter_pages  # noqa: E402 - the shared database and Django set-up

SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "120"))
# Seconds a simulated worker waits between two actions (saving an encounter or typing a search),
# and a manager between two dashboards.
WORKER_WAIT = os.environ.get("BENCH_LOAD_WORKER_WAIT", "5,15")
MANAGER_WAIT = os.environ.get("BENCH_LOAD_MANAGER_WAIT", "5,15")
WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", "50"))
MANAGERS = int(os.environ.get("BENCH_LOAD_MANAGERS", "5"))
GUNICORN_WORKERS = int(os.environ.get("BENCH_LOAD_GUNICORN_WORKERS", "4"))
# Simulated people starting per second: the staff does not arrive in the same second.
SPAWN_RATE = float(os.environ.get("BENCH_LOAD_SPAWN_RATE", "5"))
TARGET_MS = 300
# Saves a worker makes at most in a run (one every second at the very most), for the stock.
SAVES_PER_WORKER_SECOND = 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signed_in_session(username: str) -> str:
    """A session key of `username`, past two-factor as after entering a code."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from security.middleware import TWO_FACTOR_ON_SESSION_KEY

    user = User.objects.get(username=username)
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="Bench phone", defaults={"confirmed": True}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[TWO_FACTOR_ON_SESSION_KEY] = True
    session.save()
    return session.session_key


def prepare(config_path: Path) -> dict:
    """Token, sessions, stock for the whole run, and the data the simulated users pick from."""
    import sync

    from accounts.models import Location, Program, User
    from accounts.selectors import assigned_locations
    from api.services import create_token
    from demo.management.commands.seed_demo import DEMO_PROGRAM
    from participants.models import Participant
    from supplies.selectors import usual_bundle_quantities

    program = Program.objects.get(name=DEMO_PROGRAM)
    outreach = User.objects.get(username="outreach")
    manager = User.objects.get(username="manager")
    _token, plain = create_token(by=manager, user=outreach, name="Load test")
    location = assigned_locations(outreach).order_by("name").first()
    bundle = usual_bundle_quantities(outreach)
    saves = WORKERS * SECONDS * SAVES_PER_WORKER_SECOND
    # stock_for() stocks a sync batch of the bundle; scaled to the saves of the whole run.
    per_batch = {item: quantity * saves // sync.BATCH + 1 for item, quantity in bundle.items()}
    sync.stock_for(location, per_batch)
    participants = list(
        Participant.objects.filter(program=program, anonymised_at__isnull=True)
        .order_by("?")
        .values_list("public_id", "alias")[:2000]
    )
    today = program.today()
    last_month = today.replace(day=1) - timedelta(days=1)
    site = (
        Location.objects.filter(program=program, kind=Location.Kind.FIXED_SITE)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    periods = [
        f"day={last_month}",
        f"period=quarter&day={last_month}",
        f"period=year&day={today}",
        f"period=custom&start={today - timedelta(days=364)}&end={today}",
    ]
    dashboards = [f"/reports/dashboard/?{query}" for query in periods]
    dashboards += [f"{url}&location={site}" for url in dashboards]
    config = {
        "workers": WORKERS,
        "managers": MANAGERS,
        "worker_wait": [float(part) for part in WORKER_WAIT.split(",")],
        "manager_wait": [float(part) for part in MANAGER_WAIT.split(",")],
        "token": plain,
        "worker_session": signed_in_session("outreach"),
        "manager_session": signed_in_session("manager"),
        "location": location.pk,
        "bundle": {str(item): quantity for item, quantity in bundle.items()},
        "participants": [public_id for public_id, _alias in participants],
        "searches": sorted({alias[:3] for _id, alias in participants if len(alias) >= 3})[:200]
        or ["spa"],
        "dashboards": dashboards,
    }
    config_path.write_text(json.dumps(config))
    return config


def start_gunicorn(database_url: str, port: int, work: Path) -> subprocess.Popen:
    from django.conf import settings

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        # The keys the bench database was seeded and its sessions signed with.
        "SECRET_KEY": settings.SECRET_KEY,
        "PARTICIPANT_CODE_SECRET": settings.PARTICIPANT_CODE_SECRET,
        "REPORT_DISCLOSURE_KEY": settings.REPORT_DISCLOSURE_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        # One token and one session stand for every simulated worker: no per-user limits.
        "API_USER_RATE": "1000000/minute",
        "RATE_LIMIT_PARTICIPANT_SEARCH": "1000000",
        "STATIC_ROOT": str(work / "static"),
    }
    # The pages name their static files by hash, as in production.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=BENCH_DIR.parent,
        env=env,
        check=True,
    )
    server = subprocess.Popen(  # noqa: S603 - gunicorn of this venv, on loopback
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "hrprogram.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(GUNICORN_WORKERS),
            # Django loaded once, before the workers fork, as the compose file's web service.
            "--preload",
            "--log-level",
            "warning",
        ],
        cwd=BENCH_DIR.parent,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def warm_up(config: dict, port: int) -> None:
    """A few requests of each kind before measuring, so every gunicorn worker has opened its
    database connection and compiled its templates (a server that just started is not what a
    program sees all day)."""
    import requests

    base = f"http://127.0.0.1:{port}"
    manager = {"Cookie": f"sessionid={config['manager_session']}"}
    worker = {"Cookie": f"sessionid={config['worker_session']}"}
    for _round in range(GUNICORN_WORKERS * 2):
        for url in config["dashboards"]:
            requests.get(base + url, headers=manager, timeout=60)
        requests.get(
            f"{base}/participants/search/?q={config['searches'][0]}", headers=worker, timeout=60
        )


def run_locust(config_path: Path, port: int, out_prefix: str) -> None:
    users = WORKERS + MANAGERS
    subprocess.run(  # noqa: S603 - locust of this venv, against loopback
        [
            str(Path(sys.executable).with_name("locust")),
            "-f",
            str(BENCH_DIR / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(SPAWN_RATE),
            "--run-time",
            f"{SECONDS}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            out_prefix,
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env={**os.environ, "BENCH_LOAD_CONFIG": str(config_path)},
        check=False,
        capture_output=True,
    )


def print_stats(out_prefix: str) -> None:
    with open(f"{out_prefix}_stats.csv", newline="") as stats_file:
        rows = list(csv.DictReader(stats_file))
    print(
        f"{'request':<22} {'count':>7} {'errors':>7} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7}"
    )
    for row in rows:
        name = row["Name"] or "all"
        p95 = float(row["95%"] or 0)
        note = ""
        if name in ("encounter save", "dashboard"):
            note = f"   p95 {p95 / TARGET_MS:.2f}x of {TARGET_MS} ms"
        print(
            f"{name:<22} {int(row['Request Count']):>7} {int(row['Failure Count']):>7} "
            f"{float(row['Requests/s']):>7.1f} {row['50%']:>4} ms {row['95%']:>4} ms "
            f"{row['99%']:>4} ms{note}"
        )
    failures = Path(f"{out_prefix}_failures.csv")
    if failures.exists():
        with failures.open(newline="") as failures_file:
            for row in list(csv.DictReader(failures_file))[:5]:
                print(f"  error: {row['Name']} {row['Error'][:120]} x{row['Occurrences']}")


def stock_on_hand() -> dict[int, int]:
    from supplies.models import StockLevel

    return dict(StockLevel.objects.values_list("pk", "on_hand"))


def ledger_exact(since, on_hand_before: dict[int, int]) -> bool:
    """Under load, every stock level changed by exactly the movements made meanwhile, and
    every supply line saved took exactly its quantity out of stock."""
    from django.db.models import Sum

    from supplies.models import StockLevel, StockMovement

    moved = {
        (location, lot): total
        for location, lot, total in StockMovement.objects.filter(at__gte=since)
        .values_list("location_id", "lot_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    }
    wrong_levels = 0
    for level_id, location, lot, on_hand in StockLevel.objects.values_list(
        "pk", "location_id", "lot_id", "on_hand"
    ):
        if on_hand - on_hand_before.get(level_id, 0) != moved.get((location, lot), 0):
            wrong_levels += 1
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*), count(*) FILTER (WHERE -coalesce(m.taken, 0) <> s.quantity)
            FROM participants_encountersupply s
            JOIN participants_encounter e ON e.id = s.encounter_id
            LEFT JOIN (SELECT encounter_supply_id, sum(quantity) AS taken
                       FROM supplies_stockmovement WHERE at >= %s GROUP BY 1) m
              ON m.encounter_supply_id = s.id
            WHERE e.created_at >= %s
            """,
            [since, since],
        )
        lines, wrong_lines = cursor.fetchone()
    print(
        f"Stock ledger: {wrong_levels} stock levels changed otherwise than their movements; "
        f"{lines:,} supply lines saved under load, {wrong_lines} not matched by movements."
    )
    return wrong_levels == 0 and wrong_lines == 0


def main() -> None:
    database_url = os.environ.get("BENCH_DATABASE_URL", encounter_pages.DEFAULT_DATABASE_URL)
    encounter_pages.ensure_database(database_url)
    encounter_pages.setup_django(database_url)
    encounter_pages.seed(
        wanted_encounters=int(
            os.environ.get("BENCH_ENCOUNTERS", encounter_pages.DEFAULT_ENCOUNTERS)
        )
    )
    from django.utils import timezone

    from encounters.models import Encounter

    work = Path(tempfile.mkdtemp(prefix="hrprogram-load-"))
    config_path = work / "config.json"
    config = prepare(config_path)
    port = _free_port()
    server = start_gunicorn(database_url, port, work)
    warm_up(config, port)
    since = timezone.now()
    before = Encounter.objects.count()
    on_hand_before = stock_on_hand()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"\nLoad test: {WORKERS} outreach workers (an action every {WORKER_WAIT} s) and "
        f"{MANAGERS} managers (a dashboard every {MANAGER_WAIT} s) for {SECONDS} s "
        f"against gunicorn ({GUNICORN_WORKERS} workers) on {os.cpu_count()} cores, "
        f"{before:,} encounters (load average before {load}):"
    )
    try:
        run_locust(config_path, port, str(work / "locust"))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print_stats(str(work / "locust"))
    print(f"Encounters saved under load: {Encounter.objects.count() - before:,}")
    if not ledger_exact(since, on_hand_before):
        sys.exit("The stock ledger is not exact after the load test.")


if __name__ == "__main__":
    main()
