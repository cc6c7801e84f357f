"""Time to sync 500 queued encounters through POST /api/v1/sync/: `make bench`.

Uses its own PostgreSQL database (BENCH_SYNC_DATABASE_URL, else BENCH_DATABASE_URL, else
hrprogram_bench_sync on the local server), created, migrated and seeded with a small demo
program (2,000 participants, 20,000 encounters) if it has fewer encounters.

The batch is what a phone would send after a long day offline: 500 encounters at the
outreach worker's site, most with a known participant, some anonymous and some enrolling a new
participant, each with the usual bundle of five supplies, so every item takes stock. The batch
is sent once (all created) and again (all already there); both times are printed against the
5 s target. It never fails on timing.
"""

import logging
import os
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from encounter_pages import ensure_database, setup_django

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hrprogram_bench_sync"
SEED_PARTICIPANTS = 2_000
SEED_ENCOUNTERS = 20_000
BATCH = 500
TARGET_SECONDS = 5


def seed() -> None:
    from django.core.management import call_command

    from demo.management.commands.seed_demo import DEMO_PROGRAM
    from encounters.models import Encounter

    call_command("migrate", interactive=False, verbosity=0)
    if Encounter.objects.filter(program__name=DEMO_PROGRAM).count() >= SEED_ENCOUNTERS:
        return
    started = time.monotonic()
    call_command(
        "seed_demo", participants=SEED_PARTICIPANTS, encounters=SEED_ENCOUNTERS, verbosity=0
    )
    print(f"Seeded the demo program in {time.monotonic() - started:.0f} s.")


def queued_batch(rng: random.Random) -> tuple[list[dict], object, dict]:
    """(items, location, {item id: quantity per encounter}) for the outreach worker."""
    from django.utils import timezone

    from accounts.models import User
    from accounts.selectors import assigned_locations
    from participants.models import Participant
    from supplies.selectors import usual_bundle_quantities

    outreach = User.objects.get(username="outreach")
    location = assigned_locations(outreach).order_by("name").first()
    bundle = usual_bundle_quantities(outreach)
    public_ids = list(
        Participant.objects.filter(program_id=outreach.program_id).values_list(
            "public_id", flat=True
        )[:1000]
    )
    now = timezone.now()
    items = []
    for number in range(BATCH):
        item = {
            "id": str(uuid.uuid4()),
            "occurred_at": now.isoformat(),
            "location": location.pk,
            "kind": "street_outreach",
            "supplies": [{"item": pk, "quantity": quantity} for pk, quantity in bundle.items()],
            "syringes_collected": rng.choice([0, 0, 10, 20]),
        }
        roll = number % 10
        if roll == 0:
            item["new_participant"] = {
                "answers": {
                    "mother_first_name": rng.choice(["Ana", "Rosa", "Mary", "Joan", "Lee"])
                    + str(number),
                    "birth_month": f"{rng.randint(1, 12):02d}",
                    "birth_year": str(rng.randint(1950, 2004)),
                    "birth_place": rng.choice(["Tucson", "Phoenix", "Yuma", "Mesa"]),
                    "gender": rng.choice("FMTNX"),
                },
                "profile": {"alias": f"bench{number}"},
            }
        elif roll in (1, 2):
            item["participant"] = None
        else:
            item["participant"] = rng.choice(public_ids)
        items.append(item)
    return items, location, bundle


def stock_for(location, bundle: dict) -> None:
    """Make sure the location holds enough of each bundle item for the whole batch."""
    from django.db.models import Sum

    from accounts.models import User
    from supplies.models import Item, StockLevel
    from supplies.services import receive_shipment

    manager = User.objects.get(username="manager")
    for item in Item.objects.filter(pk__in=bundle):
        needed = bundle[item.pk] * BATCH
        on_hand = (
            StockLevel.objects.filter(location=location, lot__item=item).aggregate(
                total=Sum("on_hand")
            )["total"]
            or 0
        )
        if on_hand < needed:
            receive_shipment(
                by=manager,
                location=location,
                item=item,
                quantity=needed - on_hand + 100,
                lot_number="BENCH" if item.tracks_lots else "",
                expires_on=(a_year_from(location.program) if item.tracks_lots else None),
            )


def a_year_from(program):
    """A year after the program's today (its date, not the server's)."""
    from datetime import timedelta

    return program.today() + timedelta(days=365)


def backend_cpu_seconds(pid: int) -> float | None:
    """CPU time of the PostgreSQL backend serving this process, if it runs on this machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    database_url = (
        os.environ.get("BENCH_SYNC_DATABASE_URL")
        or os.environ.get("BENCH_DATABASE_URL")
        or DEFAULT_DATABASE_URL
    )
    ensure_database(database_url)
    setup_django(database_url)
    seed()

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from encounters.models import Encounter
    from supplies.models import StockMovement

    logging.getLogger("axes").setLevel(logging.WARNING)
    logging.getLogger("django.request").setLevel(logging.ERROR)
    settings.DEBUG = False
    if "localhost" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    # One batch here is one request: the sync throttle must not count the warm-up against it.
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = []

    items, location, bundle = queued_batch(random.Random(1))  # noqa: S311 - bench data
    stock_for(location, bundle)
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="outreach"))
    client.get("/api/v1/items/")  # warm-up: imports, URL resolving, the first connection

    movements_before = StockMovement.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend_pid = cursor.fetchone()[0]
    backend_before = backend_cpu_seconds(backend_pid)
    started, cpu_started = time.perf_counter(), time.process_time()
    first = client.post("/api/v1/sync/", {"items": items}, content_type="application/json")
    first_seconds = time.perf_counter() - started
    first_cpu = time.process_time() - cpu_started
    backend_after = backend_cpu_seconds(backend_pid)
    started = time.perf_counter()
    again = client.post("/api/v1/sync/", {"items": items}, content_type="application/json")
    again_seconds = time.perf_counter() - started

    stored = Encounter.objects.filter(pk__in=[item["id"] for item in items]).count()
    print(f"\nSync of {BATCH} queued encounters, {len(bundle)} supply lines each:")
    print(
        f"  first send:  {first_seconds:6.2f} s  HTTP {first.status_code}  "
        f"{first.json().get('counts')}  ({first_seconds / TARGET_SECONDS:.2f}x of the "
        f"{TARGET_SECONDS} s target)"
    )
    load = os.getloadavg()[0]
    print(f"               CPU: {first_cpu:.2f} s in Django", end="")
    if backend_before is not None and backend_after is not None:
        print(f", {backend_after - backend_before:.2f} s in its PostgreSQL backend", end="")
    print(f" (load average {load:.1f} on {os.cpu_count()} cores while measuring)")
    print(
        f"  sent again:  {again_seconds:6.2f} s  HTTP {again.status_code}  "
        f"{again.json().get('counts')}"
    )
    print(
        f"  stored {stored} encounters, {StockMovement.objects.count() - movements_before} "
        "stock movements"
    )


if __name__ == "__main__":
    main()
