"""`manage.py setup_database_roles`: give the app its least-privilege role (run as the owner).

The compose file's `migrate` service runs it after `migrate`, connected as the owner
(DATABASE_URL) and told the app's connection (APP_DATABASE_URL: its user name and password).
Safe to run on every deploy: see audit/database_roles.py.
"""

import os

import dj_database_url
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from audit.database_roles import RoleError, setup_app_role


class Command(BaseCommand):
    help = (
        "Create or update the app's PostgreSQL role from APP_DATABASE_URL and grant it only what "
        "the app needs (on the audit log: INSERT and SELECT). Run as the owner after migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--app-database-url",
            default=os.environ.get("APP_DATABASE_URL", ""),
            help="the app's connection URL; its user and password name the role "
            "(default: $APP_DATABASE_URL)",
        )
        parser.add_argument("--database", default="default", help="the owner's connection")

    def handle(self, *args, app_database_url, database, **options):
        if not app_database_url:
            raise CommandError(
                "Set APP_DATABASE_URL to the app's connection, e.g. "
                "postgres://hrprogram_app:PASSWORD@HOST:5432/hrprogram."
            )
        app = dj_database_url.parse(app_database_url)
        if not app.get("USER"):
            raise CommandError("APP_DATABASE_URL names no user.")
        connection = connections[database]
        if app.get("NAME") and app["NAME"] != connection.settings_dict["NAME"]:
            raise CommandError(
                f"APP_DATABASE_URL is for database {app['NAME']!r}, but this connection is to "
                f"{connection.settings_dict['NAME']!r}."
            )
        try:
            setup_app_role(connection, role=app["USER"], password=app.get("PASSWORD") or None)
        except RoleError as error:
            raise CommandError(str(error)) from error
        except Exception as error:  # permission denied and the like: say what to do
            raise CommandError(
                f"Could not set up the role {app['USER']}: {error}".strip()
                + " (the owner needs CREATEROLE, or an administrator creates the role first;"
                " see the README's production section)"
            ) from error
        self.stdout.write(
            f"The role {app['USER']} may use every table; on the audit log only INSERT and SELECT."
        )
