import random
import time

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Location, Program, User
from demo import year as demo_year
from demo.cards import seed_demo_card_settings
from demo.encounters import create_demo_encounters
from demo.people import create_demo_participants, create_demo_staff
from demo.reports import seed_demo_reports
from encounters.models import Encounter
from supplies.catalogue import (
    add_usual_translations,
    load_usual_catalogue,
    stock_demo_locations,
)

DEMO_PROGRAM = "Demo Harm Reduction Program"
# `--year` (and `make run`): enough for every dashboard and report to show real shapes, seeded in
# well under a minute on SQLite.
YEAR_PARTICIPANTS = 300
YEAR_ENCOUNTERS = 6_000
DEMO_LOCATIONS = [
    ("Main Street Drop-in Center", Location.Kind.FIXED_SITE, "120 Main Street"),
    ("Eastside Health Hub", Location.Kind.FIXED_SITE, "45 East Avenue"),
    ("Outreach Van 1", Location.Kind.MOBILE_UNIT, "Downtown and riverside routes"),
]
DEMO_LOCATION_TRANSLATIONS = {
    "Main Street Drop-in Center": {"es": "Centro de acogida de Main Street"},
    "Eastside Health Hub": {"es": "Centro de salud del Este"},
    "Outreach Van 1": {"es": "Camioneta de alcance 1"},
}
# (username, password, role, first name): documented in the README.
DEMO_USERS = [
    ("outreach", "outreach-demo", User.Role.OUTREACH, "Sam"),
    ("manager", "manager-demo", User.Role.MANAGER, "Alex"),
    ("funder", "funder-demo", User.Role.FUNDER, "Jordan"),
    ("admin", "admin-demo", User.Role.ADMIN, "Riley"),
]


class Command(BaseCommand):
    help = (
        "Create the demo program, its locations and one login per role. Safe to run again. "
        "--participants and --encounters add that many synthetic ones of the last year."
    )

    def add_arguments(self, parser):
        parser.add_argument("--participants", type=int, default=0, help="How many to enrol.")
        parser.add_argument("--encounters", type=int, default=0, help="How many to add.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data.")
        parser.add_argument(
            "--year",
            action="store_true",
            help=(
                f"A living demo (what `make run` seeds): {YEAR_PARTICIPANTS} participants and "
                f"{YEAR_ENCOUNTERS:,} encounters of the last year with their stock movements, "
                "referrals and follow-ups, trainings, reversals, collections and report runs "
                "published to the demo funder. Skipped if the demo program has encounters."
            ),
        )

    def handle(self, *args, **options):
        program = self._demo_program()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {program} and one login per role."))
        participants, encounters = options["participants"], options["encounters"]
        year = options["year"] and not Encounter.objects.filter(program=program).exists()
        if options["year"] and not year:
            self.stdout.write("The demo program has encounters already: no year added.")
        if year:
            participants = participants or YEAR_PARTICIPANTS
            encounters = encounters or YEAR_ENCOUNTERS
        if not participants and not encounters:
            return
        rng = random.Random(options["seed"])  # noqa: S311 - reproducible demo data, not secrets
        with transaction.atomic():
            create_demo_staff(program=program)
        if participants:
            started = time.monotonic()
            create_demo_participants(program=program, count=participants, rng=rng)
            self.stdout.write(
                f"Enrolled {participants:,} participants in {time.monotonic() - started:.1f} s."
            )
        if encounters:
            started = time.monotonic()

            def report(made: int, lines: int) -> None:
                elapsed = time.monotonic() - started
                self.stdout.write(
                    f"{made:,}/{encounters:,} encounters, {lines:,} supply lines, "
                    f"{made / elapsed:,.0f} encounters/s"
                )

            made, lines = create_demo_encounters(
                program=program, count=encounters, rng=rng, progress=report
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Added {made:,} encounters and {lines:,} supply lines "
                    f"in {time.monotonic() - started:.1f} s."
                )
            )
        if year:
            self._living_year(program, rng)

    def _living_year(self, program: Program, rng) -> None:
        """What a program's year holds besides encounters, consistent with them."""
        started = time.monotonic()
        manager = User.objects.get(username="manager")
        # One transaction for the few hundred service calls: one disk sync, not hundreds.
        with transaction.atomic():
            taken = demo_year.take_encounter_supplies_from_stock(program=program, manager=manager)
            referrals = demo_year.make_referrals(program=program, rng=rng)
            trainings = demo_year.record_trainings(program=program, rng=rng)
            reversals = demo_year.report_reversals(program=program, rng=rng)
            collections = demo_year.record_collections(program=program, rng=rng)
        runs = demo_year.publish_report_runs(program=program, manager=manager)
        self.stdout.write(
            self.style.SUCCESS(
                f"A year of the demo program: {taken:,} supply lines taken from stock, "
                f"{referrals} referrals, {trainings} trainings, {reversals} reversals, "
                f"{collections} collections, {runs} report runs published, "
                f"in {time.monotonic() - started:.1f} s."
            )
        )

    @transaction.atomic
    def _demo_program(self) -> Program:
        program, _ = Program.objects.get_or_create(name=DEMO_PROGRAM)
        locations = [
            Location.objects.get_or_create(
                program=program,
                name=name,
                defaults={
                    "kind": kind,
                    "address": address,
                    "name_translations": DEMO_LOCATION_TRANSLATIONS[name],
                },
            )[0]
            for name, kind, address in DEMO_LOCATIONS
        ]
        load_usual_catalogue(program=program)
        add_usual_translations(program=program)
        for username, password, role, first_name in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "role": role,
                    "first_name": first_name,
                    "email": f"{username}@example.org",
                    "program": program if role in (User.Role.OUTREACH, User.Role.MANAGER) else None,
                    "is_staff": role == User.Role.ADMIN,
                    "is_superuser": role == User.Role.ADMIN,
                },
            )
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
            if role == User.Role.OUTREACH:
                user.locations.add(locations[0], locations[2])
        stock_demo_locations(program=program, by=User.objects.get(username="manager"))
        seed_demo_reports(program=program, funders=[User.objects.get(username="funder")])
        seed_demo_card_settings(program=program, manager=User.objects.get(username="manager"))
        return program
