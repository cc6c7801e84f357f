"""Reports at scale: `make bench`, after encounter_pages.py, on the same database.

Seeds (once) the demo program to 200,000 participants and 1,000,000 encounters (about
4,000,000 supply lines) with encounter_pages.seed, then adds what reports read besides
encounters (stock ledger rows for the supply lines, referrals, drop-box collections, trainings,
reversal reports) in a few INSERT ... SELECT statements. Then prints:

- dashboard server time for a month and for a year (target <= 300 ms);
- every key measure computed by the app and by one hand-written SQL query each (the floor),
  and the ratio app / floor (target <= 1.5);
- a yearly funder report run end to end (the hook `funder_report_run`, filled in with the
  report runs; target <= 3 s);
- the streamed CSV extract of a year's encounters: time, size and the peak RSS of the process
  that streamed it, for a short year and for a full one (flat memory: the same peak).

Numbers only; it never fails on timing.
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import encounter_pages  # noqa: E402 - the shared database, seeding and timing helpers

RUNS = 10
TARGET_MS = 300
TARGET_RATIO = 1.5


# --- Seeding what reports read besides encounters ----------------------------------------------

# Stock ledger rows for every seeded supply line, from the item's first lot, dated at the
# encounter: what "supplies by funding source" reads. Run after every top-up.
LEDGER_FOR_SUPPLY_LINES = """
    INSERT INTO supplies_stockmovement
        (program_id, location_id, lot_id, kind, quantity, at, by_id, reason, supplier,
         encounter_supply_id)
    SELECT e.program_id, e.location_id, lots.lot_id, 'distributed', -es.quantity,
           e.occurred_at, e.staff_id, '', '', es.id
    FROM participants_encountersupply es
    JOIN participants_encounter e ON e.id = es.encounter_id
    JOIN (SELECT item_id, min(id) AS lot_id FROM supplies_lot GROUP BY item_id) lots
      ON lots.item_id = es.item_id
    WHERE e.program_id = %(program)s
      AND NOT EXISTS (SELECT 1 FROM supplies_stockmovement m WHERE m.encounter_supply_id = es.id)
    """

REPORTING_EXTRAS = [
    # One referral for about one in twenty encounters with a participant.
    """
    INSERT INTO referrals_referral
        (program_id, participant_id, kind, encounter_id, made_by_id, made_at, follow_up_due,
         status, linked_at, outcome_note)
    SELECT program_id, participant_id,
           (ARRAY['housing','substance_use_treatment','medical_care','hiv_hcv',
                  'mental_health','benefits','food'])[1 + ((hashtext(id::text) & 2147483647) %% 7)],
           id, staff_id, occurred_at, (occurred_at + interval '7 days')::date,
           CASE WHEN r < 0.35 THEN 'linked' WHEN r < 0.45 THEN 'completed'
                WHEN r < 0.75 THEN 'made' WHEN r < 0.85 THEN 'declined'
                WHEN r < 0.95 THEN 'lost_to_follow_up' ELSE 'offered' END,
           CASE WHEN r < 0.45 THEN occurred_at + (r * 60) * interval '1 day' END,
           ''
    FROM (
        SELECT e.*, ((hashtext(e.id::text || 'status') & 2147483647) %% 1000) / 1000.0 AS r
        FROM participants_encounter e
        WHERE e.program_id = %(program)s AND e.participant_id IS NOT NULL
          AND (hashtext(e.id::text) & 2147483647) %% 20 = 0
    ) picked
    """,
    # A drop box emptied every day at each fixed site, a clean-up by weight every week.
    """
    INSERT INTO supplies_syringecollection
        (program_id, location_id, source, collected_on, counted, weight_pounds, syringes,
         recorded_by_id, created_at)
    SELECT l.program_id, l.id,
           CASE WHEN extract(dow FROM day) = 6 THEN 'cleanup' ELSE 'drop_box' END,
           day::date, NULL, NULL, 40 + (extract(doy FROM day)::int * 37 + l.id * 11) %% 160,
           %(manager)s, now()
    FROM accounts_location l,
         generate_series(now() - interval '365 days', now() - interval '1 day',
                         interval '1 day') day
    WHERE l.program_id = %(program)s AND l.kind = 'fixed_site'
    """,
    # Three trainings a week, one for law enforcement.
    """
    INSERT INTO training_trainingsession
        (program_id, kind, held_on, place, trainer_id, audience, attendee_count,
         recorded_by_id, created_at)
    SELECT %(program)s,
           (ARRAY['naloxone','law_enforcement','community'])[1 + n %% 3],
           (now() - n * interval '2 days')::date, 'Public library', %(manager)s,
           (ARRAY['participants','law_enforcement','community'])[1 + n %% 3],
           5 + (n * 7) %% 30, %(manager)s, now()
    FROM generate_series(1, 180) n
    """,
    # A naloxone delivery every two weeks at each location, from one of two suppliers.
    """
    INSERT INTO supplies_stockmovement
        (program_id, location_id, lot_id, kind, quantity, at, by_id, reason, supplier)
    SELECT l.program_id, l.id, lots.lot_id, 'received', 48, day, %(manager)s, '',
           (ARRAY['Emergent', 'Harm Reduction Supply Co.'])[1 + (extract(doy FROM day)::int %% 2)]
    FROM accounts_location l
    CROSS JOIN generate_series(now() - interval '364 days', now(), interval '14 days') day
    JOIN (SELECT min(lot.id) AS lot_id FROM supplies_lot lot JOIN supplies_item i
          ON i.id = lot.item_id WHERE i.category = 'naloxone' AND i.program_id = %(program)s
          GROUP BY i.id) lots ON TRUE
    WHERE l.program_id = %(program)s
    """,
    # Sharps containers to the disposal service once a month from each fixed site.
    """
    INSERT INTO supplies_sharpsdisposal
        (program_id, location_id, disposed_on, containers, weight_pounds, syringes_estimated,
         vendor, manifest_number, recorded_by_id, created_at)
    SELECT l.program_id, l.id, day::date, 4, 30.5, 6100, 'Stericycle',
           'M-' || l.id || '-' || to_char(day, 'YYYYMM'), %(manager)s, now()
    FROM accounts_location l,
         generate_series(now() - interval '360 days', now(), interval '1 month') day
    WHERE l.program_id = %(program)s AND l.kind = 'fixed_site'
    """,
    # About one reported reversal a day.
    """
    INSERT INTO supplies_overdosereversal
        (program_id, reported_on, place, doses_used, outcome, ems_called, kit_source,
         recorded_by_id, created_at)
    SELECT %(program)s, (now() - n * interval '1 day')::date, 'Riverside', 1 + n %% 3,
           'survived', 'no', 'this_program', %(manager)s, now()
    FROM generate_series(1, 365) n
    """,
]


def seed_reporting_extras() -> None:
    """Add ledger rows, referrals, collections, trainings and reversals once."""
    from django.db import connection, transaction

    from accounts.models import Program, User
    from demo.management.commands.seed_demo import DEMO_PROGRAM
    from supplies.models import SyringeCollection

    program = Program.objects.get(name=DEMO_PROGRAM)
    manager = User.objects.get(username="manager")
    params = {"program": program.pk, "manager": manager.pk}
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(LEDGER_FOR_SUPPLY_LINES, params)
        if not SyringeCollection.objects.filter(program=program).exists():
            for statement in REPORTING_EXTRAS:
                cursor.execute(statement, params)
    # As autovacuum would on a real database: planner statistics of everything just loaded.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"Reporting extras and ANALYZE in {time.monotonic() - started:.0f} s.")


# --- Dashboard server time ---------------------------------------------------------------------


def dashboard_pages(today: date, location_id: int) -> list[tuple[str, str]]:
    last_month = today.replace(day=1) - timedelta(days=1)
    quarter_day = last_month - timedelta(days=70)
    periods = [
        (f"month ({last_month:%b %Y})", f"day={last_month}"),
        (f"this month ({today:%b %Y}, to today)", f"day={today}"),
        ("quarter (the last complete)", f"period=quarter&day={quarter_day}"),
        (f"year ({today.year})", f"period=year&day={today}"),
        ("last 365 days", f"period=custom&start={today - timedelta(days=364)}&end={today}"),
        (
            "366 days to last month's end",
            f"period=custom&start={last_month - timedelta(days=365)}&end={last_month}",
        ),
    ]
    pages = [(f"{label}, all", f"/reports/dashboard/?{query}") for label, query in periods]
    pages += [
        (f"{label}, one location", f"/reports/dashboard/?{query}&location={location_id}")
        for label, query in periods
    ]
    return pages


def print_dashboard_times(client, today: date, location_id: int) -> list[float]:
    """Each page: the first request (it may build cached participant sets), then the median
    and p95 of RUNS more; returns the p95s."""
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"\nDashboard server time, first request then {RUNS} more (target p95 {TARGET_MS} ms; "
        f"load average {load}):"
    )
    print(f"{'page':<46} {'first':>8} {'median':>9} {'p95':>9} {'queries':>8}")
    p95s = []
    for label, url in dashboard_pages(today, location_id):
        started = time.perf_counter()
        status, queries, timings = encounter_pages.measure(client, url, runs=RUNS)
        first = (time.perf_counter() - started) * 1000 - sum(timings)
        median = statistics.median(timings)
        p95 = statistics.quantiles(timings, n=20, method="inclusive")[-1]
        p95s.append(p95)
        note = "" if status == 200 else f"  (HTTP {status})"
        print(
            f"{label:<46} {first:>5.0f} ms {median:>6.0f} ms {p95:>6.0f} ms {queries:>8}"
            f"   p95 {p95 / TARGET_MS:.2f}x of target{note}"
        )
    return p95s


# --- The floor: one hand-written query per measure ---------------------------------------------

FLOOR_SQL = {
    "unduplicated_participants": """
        SELECT count(*) FROM (
            SELECT DISTINCT e.participant_id FROM participants_encounter e
            WHERE e.program_id = %(program)s AND e.participant_id IS NOT NULL
              AND e.occurred_at >= %(start)s AND e.occurred_at < %(end)s
        ) s""",
    "new_participants": """
        SELECT count(*) FROM (
            SELECT DISTINCT e.participant_id FROM participants_encounter e
            WHERE e.program_id = %(program)s AND e.participant_id IS NOT NULL
              AND e.occurred_at >= %(start)s AND e.occurred_at < %(end)s
        ) s
        WHERE NOT EXISTS (
            SELECT 1 FROM participants_encounter b
            WHERE b.participant_id = s.participant_id AND b.occurred_at < %(start)s
        )""",
    "encounters": """
        SELECT count(*) FROM participants_encounter e
        WHERE e.program_id = %(program)s
          AND e.occurred_at >= %(start)s AND e.occurred_at < %(end)s""",
    "anonymous_encounters": """
        SELECT count(*) FROM participants_encounter e
        WHERE e.program_id = %(program)s AND e.participant_id IS NULL
          AND e.occurred_at >= %(start)s AND e.occurred_at < %(end)s""",
    "median_days_in_program": """
        SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s.last - f.first)
        FROM (
            SELECT e.participant_id, max(e.occurred_at) AS last FROM participants_encounter e
            WHERE e.program_id = %(program)s AND e.participant_id IS NOT NULL
              AND e.occurred_at >= %(start)s AND e.occurred_at < %(end)s
            GROUP BY e.participant_id
        ) s
        CROSS JOIN LATERAL (
            SELECT min(b.occurred_at) AS first FROM participants_encounter b
            WHERE b.participant_id = s.participant_id
        ) f""",
    "syringes_distributed": """
        SELECT coalesce(sum(es.quantity), 0)
        FROM participants_encountersupply es
        JOIN participants_encounter e ON e.id = es.encounter_id
        JOIN supplies_item i ON i.id = es.item_id
        WHERE e.program_id = %(program)s AND i.category = 'syringes'
          AND e.occurred_at >= %(start)s AND e.occurred_at < %(end)s""",
    "syringes_collected": """
        SELECT (
            SELECT coalesce(sum(e.syringes_collected), 0) FROM participants_encounter e
            WHERE e.program_id = %(program)s
              AND e.occurred_at >= %(start)s AND e.occurred_at < %(end)s
        ) + (
            SELECT coalesce(sum(c.syringes), 0) FROM supplies_syringecollection c
            WHERE c.program_id = %(program)s AND c.collected_on BETWEEN %(first)s AND %(last)s
        )""",
    "naloxone_doses": """
        SELECT (
            SELECT coalesce(sum(es.quantity * coalesce(i.doses_per_unit, 1)), 0)
            FROM participants_encountersupply es
            JOIN participants_encounter e ON e.id = es.encounter_id
            JOIN supplies_item i ON i.id = es.item_id
            WHERE e.program_id = %(program)s AND i.category = 'naloxone'
              AND e.occurred_at >= %(start)s AND e.occurred_at < %(end)s
        ) + (
            SELECT coalesce(sum(-m.quantity * coalesce(i.doses_per_unit, 1)), 0)
            FROM supplies_stockmovement m
            JOIN training_trainingsession t ON t.id = m.training_session_id
            JOIN supplies_lot l ON l.id = m.lot_id
            JOIN supplies_item i ON i.id = l.item_id
            WHERE t.program_id = %(program)s AND t.held_on BETWEEN %(first)s AND %(last)s
              AND m.kind = 'distributed' AND i.category = 'naloxone'
        )""",
    "reversals_reported": """
        SELECT (
            SELECT coalesce(sum(e.overdose_reversals_reported), 0) FROM participants_encounter e
            WHERE e.program_id = %(program)s
              AND e.occurred_at >= %(start)s AND e.occurred_at < %(end)s
        ) + (
            SELECT count(*) FROM supplies_overdosereversal r
            WHERE r.program_id = %(program)s AND r.reported_on BETWEEN %(first)s AND %(last)s
        )""",
    "test_strips_distributed": """
        SELECT coalesce(sum(es.quantity), 0)
        FROM participants_encountersupply es
        JOIN participants_encounter e ON e.id = es.encounter_id
        JOIN supplies_item i ON i.id = es.item_id
        WHERE e.program_id = %(program)s AND i.category = 'drug_checking'
          AND e.occurred_at >= %(start)s AND e.occurred_at < %(end)s""",
    "referrals_made": """
        SELECT count(*) FROM referrals_referral r
        WHERE r.program_id = %(program)s AND r.made_at >= %(start)s AND r.made_at < %(end)s""",
    "linkage_rate": """
        SELECT count(*) FILTER (WHERE r.status IN ('linked', 'completed'))::float
               / nullif(count(*), 0)
        FROM referrals_referral r
        WHERE r.program_id = %(program)s AND r.made_at >= %(start)s AND r.made_at < %(end)s""",
    "trainings": """
        SELECT count(*) FROM training_trainingsession t
        WHERE t.program_id = %(program)s AND t.held_on BETWEEN %(first)s AND %(last)s""",
    "people_trained": """
        SELECT coalesce(sum(t.attendee_count), 0) FROM training_trainingsession t
        WHERE t.program_id = %(program)s AND t.held_on BETWEEN %(first)s AND %(last)s""",
    "locations_active": """
        SELECT count(DISTINCT e.location_id) FROM participants_encounter e
        WHERE e.program_id = %(program)s
          AND e.occurred_at >= %(start)s AND e.occurred_at < %(end)s""",
}


def _best_ms(call, runs: int) -> tuple[float, object]:
    """The median of `runs` timed calls after one warm-up, and the value it returned."""
    value = call()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), value


def _same(app_value, floor_value) -> bool:
    if app_value is None or floor_value is None:
        return app_value is None and floor_value is None
    if hasattr(floor_value, "total_seconds"):
        floor_value = floor_value.total_seconds() / 86400
    return abs(float(app_value) - float(floor_value)) <= 0.051 * max(1, abs(float(floor_value)))


def print_floor(program, label: str, start: date, end: date, runs: int = 5) -> None:
    """Each key measure by the app (compute with that one key) and by its floor query."""
    from django.db import connection

    from reports import measures

    scope = measures.Scope(program=program, start=start, end=end)
    params = {
        "program": program.pk,
        "start": scope.start_at,
        "end": scope.end_at,
        "first": start,
        "last": end,
    }

    def floor(sql):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()[0]

        return run

    print(f"\nMeasures for {label} ({start} to {end}), median of {runs} runs after a warm-up:")
    print(f"{'measure':<28} {'value':>12} {'app':>9} {'floor':>9} {'app/floor':>10}")
    app_total = floor_total = 0.0
    for key, sql in FLOOR_SQL.items():
        app_ms, app_value = _best_ms(lambda key=key: measures.compute(scope, [key])[key], runs)
        floor_ms, floor_value = _best_ms(floor(sql), runs)
        app_total += app_ms
        floor_total += floor_ms
        agree = "" if _same(app_value, floor_value) else f"  (floor says {floor_value})"
        shown = "-" if app_value is None else f"{app_value:,}"
        print(
            f"{key:<28} {shown:>12} {app_ms:>6.1f} ms {floor_ms:>6.1f} ms "
            f"{app_ms / floor_ms:>9.2f}x{agree}"
        )
    together_ms, _values = _best_ms(lambda: measures.compute(scope, list(FLOOR_SQL)), runs)
    print(
        f"{'sum of the above':<28} {'':>12} {app_total:>6.0f} ms {floor_total:>6.0f} ms "
        f"{app_total / floor_total:>9.2f}x   (target <= {TARGET_RATIO})"
    )
    print(
        f"{'all in one compute()':<28} {'':>12} {together_ms:>6.0f} ms {floor_total:>6.0f} ms "
        f"{together_ms / floor_total:>9.2f}x   (shared queries)"
    )


# --- The yearly funder report run --------------------------------------------------------------


def funder_report_run(program, year: int) -> list[tuple[str, float]]:
    """Run the state annual report for `year` end to end (measures, breakdowns, disclosure control,
    CSV, XLSX and PDF, publishing) and return (label, seconds) pairs to print."""
    import report_run

    return report_run.time_yearly_report(program, year)


def print_funder_report(program, year: int) -> None:
    timings = funder_report_run(program, year)
    if not timings:
        print("\nYearly funder report run: not measured yet (see funder_report_run).")
        return
    print(f"\nYearly funder report run for {year} (target 3 s):")
    for label, seconds in timings:
        print(f"{label:<44} {seconds:>7.2f} s")


def manager_client():
    """A test client signed in as the demo manager, past two-factor as after entering a code."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from security.middleware import TWO_FACTOR_ON_SESSION_KEY

    manager = User.objects.get(username="manager")
    device, _ = TOTPDevice.objects.get_or_create(
        user=manager, name="Bench phone", defaults={"confirmed": True}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(manager)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[TWO_FACTOR_ON_SESSION_KEY] = True
    session.save()
    return client


# --- The streamed extract, in a child process of its own ----------------------------------------


def extract_child(year: int) -> None:
    """Stream one year's extract as a manager would and report time, size and peak RSS."""

    client = manager_client()
    before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get(f"/reports/extract.csv?year={year}")
    size = rows = 0
    for piece in response.streaming_content:
        size += len(piece)
        rows += piece.count(b"\n")
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "status": response.status_code,
                "rows": rows - 1,
                "bytes": size,
                "seconds": seconds,
                "rss_before_mb": before_kb / 1024,
                "rss_peak_mb": peak_kb / 1024,
            }
        )
    )


def print_extracts(database_url: str, years: list[int]) -> None:
    print("\nEncounter extract, streamed CSV (a fresh process each; peak RSS of that process):")
    print(f"{'year':<6} {'rows':>10} {'size':>10} {'time':>9} {'RSS before':>11} {'peak RSS':>9}")
    for year in years:
        output = subprocess.run(  # noqa: S603 - this very script, with a year
            [sys.executable, __file__, "--extract", str(year)],
            env={**os.environ, "BENCH_DATABASE_URL": database_url},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        found = json.loads(output.strip().splitlines()[-1])
        print(
            f"{year:<6} {found['rows']:>10,} {found['bytes'] / 1e6:>7.1f} MB "
            f"{found['seconds']:>7.1f} s {found['rss_before_mb']:>8.0f} MB "
            f"{found['rss_peak_mb']:>6.0f} MB"
        )


# --- Main --------------------------------------------------------------------------------------


def quiet_production_like() -> None:
    import logging

    from django.conf import settings

    logging.getLogger("axes").setLevel(logging.WARNING)
    settings.DEBUG = False
    if "localhost" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]


def main() -> None:
    database_url = os.environ.get("BENCH_DATABASE_URL", encounter_pages.DEFAULT_DATABASE_URL)
    if sys.argv[1:2] == ["--extract"]:
        encounter_pages.setup_django(database_url)
        quiet_production_like()
        extract_child(int(sys.argv[2]))
        return
    wanted = int(os.environ.get("BENCH_ENCOUNTERS", encounter_pages.DEFAULT_ENCOUNTERS))
    # The dashboard is measured at each of these sizes on the way up (a fresh database seeds
    # them one after the other), so the growth of its cost is visible.
    steps = [
        int(step)
        for step in os.environ.get("BENCH_STEPS", "250000,500000,1000000").split(",")
        if step.strip() and int(step) < wanted
    ] + [wanted]
    encounter_pages.ensure_database(database_url)
    encounter_pages.setup_django(database_url)
    quiet_production_like()

    from django.utils import timezone

    from accounts.models import Location, Program
    from demo.management.commands.seed_demo import DEMO_PROGRAM
    from encounters.models import Encounter
    from reports.measures import people

    summary = []
    for step in steps:
        encounter_pages.seed(wanted_encounters=step)
        there = Encounter.objects.filter(program__name=DEMO_PROGRAM).count()
        if there > step * 1.01:
            print(
                f"\nDashboard at {step:,} encounters: not measured, the database holds {there:,} "
                "already (a fresh BENCH_DATABASE_URL measures every step)."
            )
            continue
        seed_reporting_extras()
        program = Program.objects.get(name=DEMO_PROGRAM)
        started = time.monotonic()
        built = people.warm(program)
        print(
            f"Participant sets warmed as the Celery beat task does every 15 minutes: {built} "
            f"built in {time.monotonic() - started:.1f} s (none when they were there already)."
        )
        today = timezone.localdate(timezone=program.tzinfo)
        client = manager_client()
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(
            f"\n=== {there:,} encounters. Machine: {os.cpu_count()} cores, load average {load} "
            "(1, 5, 15 min)."
        )
        location_id = (
            Location.objects.filter(program=program, kind=Location.Kind.FIXED_SITE)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        p95s = print_dashboard_times(client, today, location_id)
        summary.append((there, max(p95s)))
    print("\nDashboard growth: the worst p95 of every period and location at each size:")
    for there, worst in summary:
        print(f"{there:>12,} encounters  {worst:>6.0f} ms  ({worst / TARGET_MS:.2f}x of target)")
    last_month_end = today.replace(day=1) - timedelta(days=1)
    print_floor(program, "a month", last_month_end.replace(day=1), last_month_end)
    print_floor(program, "a year", today - timedelta(days=364), today, runs=3)
    print_funder_report(program, today.year)
    print_extracts(database_url, [today.year - 1, today.year])


if __name__ == "__main__":
    main()
