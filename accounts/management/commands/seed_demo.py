from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Location, Program, User
from supplies.catalogue import load_usual_catalogue

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
    help = "Create the demo program, its locations and one login per role. Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
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
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {program} and one login per role."))
