"""Server time of the busiest pages on a year of data: `make bench`.

Uses its own PostgreSQL database (BENCH_DATABASE_URL), created and migrated if missing and
seeded once with `seed_demo` (200,000 participants, BENCH_ENCOUNTERS encounters, default one
million), so later runs start measuring at once. Each page is requested through Django's test
client as the demo outreach worker: one warm-up (which also counts the SQL queries), then
RUNS timed requests. It reports against the 300 ms target; it never fails on timing.
"""

import html
import logging
import os
import re
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hrprogram_bench"
WANTED_PARTICIPANTS = 200_000
DEFAULT_ENCOUNTERS = 1_000_000
RUNS = 20
TARGET_MS = 300
OLDER_LINK = re.compile(r'href="(\?[^"]*before=[^"]*)"')


def ensure_database(database_url: str) -> None:
    """Create the benchmark database on its server unless it is there already."""
    import dj_database_url
    import psycopg2
    from psycopg2 import sql

    database = dj_database_url.parse(database_url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=database["USER"] or "postgres",
        password=database["PASSWORD"] or None,
        host=database["HOST"] or "127.0.0.1",
        port=database["PORT"] or 5432,
    )
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]])
            if cursor.fetchone() is None:
                cursor.execute(
                    sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database["NAME"]))
                )
                print(f"Created database {database['NAME']}.")
    finally:
        connection.close()


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrprogram.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def seed(*, wanted_encounters: int) -> None:
    """Migrate, then top the demo program up to the wanted size; quick when it is there."""
    from django.core.management import call_command

    from demo.management.commands.seed_demo import DEMO_PROGRAM
    from encounters.models import Encounter
    from participants.models import Participant

    call_command("migrate", interactive=False, verbosity=0)
    encounters = Encounter.objects.filter(program__name=DEMO_PROGRAM).count()
    if encounters >= wanted_encounters:
        print(f"Database has {encounters:,} demo encounters: no seeding needed.")
        return
    participants = Participant.objects.filter(program__name=DEMO_PROGRAM).count()
    started = time.monotonic()
    call_command(
        "seed_demo",
        participants=max(0, WANTED_PARTICIPANTS - participants),
        encounters=wanted_encounters - encounters,
    )
    print(f"Seeding took {time.monotonic() - started:.0f} s.")


def pages_to_measure(client) -> list[tuple[str, str]]:
    """(label, url) of each page, with filters and people chosen from the seeded data."""
    from django.db.models import Count
    from django.utils import timezone

    from accounts.models import Location, Program, User
    from demo.management.commands.seed_demo import DEMO_PROGRAM
    from encounters.models import Encounter
    from participants.models import Participant

    program = Program.objects.get(name=DEMO_PROGRAM)
    outreach = User.objects.get(username="outreach")
    van = Location.objects.filter(program=program, kind=Location.Kind.MOBILE_UNIT).first()
    week_start = timezone.localdate(timezone=program.tzinfo) - timedelta(days=60)
    week_end = week_start + timedelta(days=6)
    visits = list(
        Encounter.objects.filter(program=program, participant__isnull=False)
        .values_list("participant__public_id")
        .annotate(visits=Count("pk"))
        .order_by("-visits", "participant__public_id")
    )
    most_seen, most_visits = visits[0]
    typical, typical_visits = visits[len(visits) // 2]
    alias = (
        Participant.objects.filter(program=program)
        .exclude(alias="")
        .values_list("alias", flat=True)
        .order_by("alias")
        .first()
    ) or "spa"
    first_page = client.get("/encounters/").content.decode()
    older = OLDER_LINK.search(first_page)
    return [
        ("encounters, first page", "/encounters/"),
        (f"encounters at {van}", f"/encounters/?location={van.pk}"),
        ("encounters by staff 'outreach'", f"/encounters/?staff={outreach.pk}"),
        ("encounters of kind mobile_unit", "/encounters/?kind=mobile_unit"),
        (
            f"encounters {week_start}..{week_end}",
            f"/encounters/?date_from={week_start}&date_to={week_end}",
        ),
        (
            "encounters, second page",
            f"/encounters/{html.unescape(older.group(1)) if older else ''}",
        ),
        (f"participant most seen ({most_visits} visits)", f"/participants/{most_seen}/"),
        (f"participant typical ({typical_visits} visits)", f"/participants/{typical}/"),
        (
            f"participant search q={alias[:3]}",
            f"/participants/search/?{urlencode({'q': alias[:3]})}",
        ),
        ("log encounter form", "/encounters/new/"),
    ]


def measure(client, url: str, *, runs: int = RUNS) -> tuple[int, int, list[float]]:
    """(status, SQL queries, milliseconds of each timed run) of one page."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    # Counted now: captured_queries reads the connection's log, which the next request empties.
    query_count = len(queries.captured_queries)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return status, query_count, timings


def main() -> None:
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    wanted_encounters = int(os.environ.get("BENCH_ENCOUNTERS", DEFAULT_ENCOUNTERS))
    ensure_database(database_url)
    setup_django(database_url)
    seed(wanted_encounters=wanted_encounters)

    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    logging.getLogger("axes").setLevel(logging.WARNING)  # not a line per force_login
    # Measure as production runs: no query log, no template debugging.
    settings.DEBUG = False
    if "localhost" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="outreach"))

    print(f"\nServer time over {RUNS} requests after one warm-up (target {TARGET_MS} ms):")
    print(f"{'page':<44} {'median':>9} {'p95':>9} {'queries':>8}")
    for label, url in pages_to_measure(client):
        status, queries, timings = measure(client, url)
        median = statistics.median(timings)
        p95 = statistics.quantiles(timings, n=20, method="inclusive")[-1]
        note = "" if status == 200 else f"  (HTTP {status})"
        print(
            f"{label:<44} {median:>6.1f} ms {p95:>6.1f} ms {queries:>8}"
            f"   p95 {p95 / TARGET_MS:.2f}x of target{note}"
        )


if __name__ == "__main__":
    main()
