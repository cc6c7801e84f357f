"""Encounters moved out of the participants app without touching a row: a database that holds
data at the old layout migrates to the new one with every row and every summary total as it
was (PostgreSQL, where the triggers keep the totals)."""

import uuid
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

OLD_LAYOUT = [
    ("accounts", "0004_collections_and_reversals"),
    ("participants", "0004_merge_0002_participant_anonymised_0003_daily_totals"),
    ("supplies", "0004_stockmovement_training_session"),
    ("referrals", "0002_referral_open_due"),
    ("encounters", None),
]
TABLES = [
    "participants_encounter",
    "participants_encountersupply",
    "participants_dailyencountertotals",
    "participants_dailysupplytotals",
    "participants_participantmonth",
    "participants_participantyear",
    "participants_participantfirstmonth",
    "referrals_referral",
    "supplies_stockmovement",
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([node for node in targets if node[1]]).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def snapshot(columns: dict[str, list[str]] | None = None) -> dict[str, list[tuple]]:
    """Every row of the moved tables and of the tables that point at them, in a fixed order;
    with `columns`, only those of each table (the columns it had at the old layout: later
    migrations add some, such as an encounter's voided_at)."""
    rows = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            names = ", ".join(columns[table]) if columns else "*"
            cursor.execute(f"SELECT {names} FROM {table} ORDER BY 1")  # noqa: S608 - fixed names
            rows[table] = cursor.fetchall()
    return rows


def column_names() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        return {
            table: [
                column.name
                for column in connection.introspection.get_table_description(cursor, table)
            ]
            for table in TABLES
        }


def fill_at_the_old_layout(old_apps) -> None:
    program = old_apps.get_model("accounts", "Program").objects.create(name="Old layout")
    user = old_apps.get_model("accounts", "User").objects.create(
        username="old-layout", role="outreach", program=program
    )
    location = old_apps.get_model("accounts", "Location").objects.create(
        program=program, name="Drop-in", kind="fixed_site"
    )
    item = old_apps.get_model("supplies", "Item").objects.create(
        program=program, name="Syringe", category="syringes", unit="each"
    )
    participant_model = old_apps.get_model("participants", "Participant")
    encounter_model = old_apps.get_model("participants", "Encounter")
    supply_model = old_apps.get_model("participants", "EncounterSupply")
    referral_model = old_apps.get_model("referrals", "Referral")
    for number in range(3):
        participant = participant_model.objects.create(
            program=program, code_hash=f"{number:064d}", public_id=f"HR-OLD{number}"
        )
        for month in (10, 11):
            encounter = encounter_model.objects.create(
                id=uuid.uuid4(),
                program=program,
                participant=participant,
                location=location,
                staff=user,
                occurred_at=datetime(2026, month, 3 + number, 15, tzinfo=UTC),
                kind="fixed_site",
                syringes_collected=5 * number,
            )
            supply_model.objects.create(encounter=encounter, item=item, quantity=10 + number)
        referral_model.objects.create(
            program=program,
            participant=participant,
            kind="housing",
            encounter=encounter,
            made_by=user,
            made_at=encounter.occurred_at,
            follow_up_due=datetime(2026, 12, 1).date(),
            status="made",
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")
def test_a_database_at_the_old_layout_keeps_every_row_and_total_after_the_move():
    newest = latest()
    try:
        fill_at_the_old_layout(migrate(OLD_LAYOUT))
        before = snapshot()
        old_columns = column_names()
    finally:
        # Whatever happened, the test database goes back to the newest layout for what follows.
        migrate(newest)
    assert before["participants_dailyencountertotals"], "the triggers made no totals"

    from encounters.models import DailyEncounterTotals, Encounter
    from referrals.models import Referral

    assert snapshot(old_columns) == before
    assert Encounter.objects.count() == 6
    assert sum(row.encounters for row in DailyEncounterTotals.objects.all()) == 6
    assert all(referral.encounter.participant_id for referral in Referral.objects.all())
