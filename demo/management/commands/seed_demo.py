import random
import time

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Location, Program, User
from demo.cards import seed_demo_card_settings
from demo.encounters import create_demo_encounters
from demo.people import create_demo_participants, create_demo_staff
from demo.reports import seed_demo_reports
from supplies.catalogue import load_usual_catalogue, stock_demo_locations

DEMO_PROGRAM = "Demo Harm Reduction Program"
DEMO_LOCATIONS = [
    ("Main Street Drop-in Center", Location.Kind.FIXED_SITE, "120 Main Street"),
    ("Eastside Health Hub", Location.Kind.FIXED_SITE, "45 East Avenue"),
    ("Outreach Van 1", Location.Kind.MOBILE_UNIT, "Downtown and riverside routes"),
]
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

    def handle(self, *args, **options):
        program = self._demo_program()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {program} and one login per role."))
        participants, encounters = options["participants"], options["encounters"]
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

    @transaction.atomic
    def _demo_program(self) -> Program:
        program, _ = Program.objects.get_or_create(name=DEMO_PROGRAM)
        locations = [
            Location.objects.get_or_create(
                program=program, name=name, defaults={"kind": kind, "address": address}
            )[0]
            for name, kind, address in DEMO_LOCATIONS
        ]
        load_usual_catalogue(program=program)
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
