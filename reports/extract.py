"""The manager's encounter-level extract: one CSV row per encounter of a year, streamed.

One query: supply lines summed per encounter, joined to the encounters, in time order. Rows
are read through a server-side cursor in chunks and written out as they come, so memory stays
flat however many encounters the year holds. Participants appear by public id only.
"""

import io
from collections.abc import Iterator
from datetime import datetime

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.translation import gettext as _

from accounts.models import Location, Program, User
from core.spreadsheets import CsvWriter
from encounters.models import Encounter
from reports import periods
from reports.measures import Scope
from supplies.models import Item

CHUNK_SIZE = 5_000
ROWS_PER_WRITE = 1_000
Category = Item.Category


def extract_header() -> list[str]:
    return [
        _("Date"),
        _("Time"),
        _("Location"),
        _("Kind"),
        _("Participant"),
        _("Staff"),
        _("Syringes distributed"),
        _("Naloxone doses"),
        _("Test strips"),
        _("Other supplies (units)"),
        _("Used syringes collected"),
        _("Also for how many others"),
        _("Overdose reversals reported"),
        _("Naloxone refill reason"),
        *(str(Encounter._meta.get_field(name).verbose_name) for name in Encounter.SERVICE_FIELDS),
    ]


# Supply sums per encounter, grouped once over the year's lines, joined to the encounters and
# read in time order. Table names are this project's own; values are parameters.
EXTRACT_SQL = """
SELECT e.occurred_at, e.location_id, e.kind, p.public_id, e.staff_id,
       coalesce(s.syringes, 0), coalesce(s.doses, 0), coalesce(s.test_strips, 0),
       coalesce(s.other_units, 0),
       e.syringes_collected, e.secondary_distribution_for, e.overdose_reversals_reported,
       e.naloxone_refill_reason, {services}
FROM participants_encounter e
LEFT JOIN participants_participant p ON p.id = e.participant_id
LEFT JOIN (
    SELECT es.encounter_id,
           sum(es.quantity) FILTER (WHERE i.category = %(syringes)s) AS syringes,
           sum(es.quantity * coalesce(i.doses_per_unit, 1))
               FILTER (WHERE i.category = %(naloxone)s) AS doses,
           sum(es.quantity) FILTER (WHERE i.category = %(drug_checking)s) AS test_strips,
           sum(es.quantity) FILTER (WHERE i.category NOT IN
               (%(syringes)s, %(naloxone)s, %(drug_checking)s)) AS other_units
    FROM participants_encountersupply es
    JOIN participants_encounter y ON y.id = es.encounter_id
    JOIN supplies_item i ON i.id = es.item_id
    WHERE y.program_id = %(program)s AND y.occurred_at >= %(start)s AND y.occurred_at < %(end)s
      AND y.voided_at IS NULL
    GROUP BY es.encounter_id
) s ON s.encounter_id = e.id
WHERE e.program_id = %(program)s AND e.occurred_at >= %(start)s AND e.occurred_at < %(end)s
  AND e.voided_at IS NULL
ORDER BY e.occurred_at, e.id
""".format(services=", ".join(f"e.{name}" for name in Encounter.SERVICE_FIELDS))  # noqa: S608


def _extract_cursor_rows(params: dict, using: str) -> Iterator[tuple]:
    """Rows of EXTRACT_SQL, CHUNK_SIZE at a time. On PostgreSQL through a server-side cursor,
    planned for the whole result (hash joins, one sort) rather than the first rows, no JIT."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(EXTRACT_SQL, params)
            while rows := cursor.fetchmany(CHUNK_SIZE):
                yield from rows
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
            cursor.execute("SET LOCAL jit = off")
        cursor = connection.chunked_cursor()
        try:
            cursor.execute(EXTRACT_SQL, params)
            while rows := cursor.fetchmany(CHUNK_SIZE):
                yield from rows
        finally:
            cursor.close()


def encounter_extract_rows(
    program: Program, *, year: int, using: str | None = None
) -> Iterator[list]:
    """The encounters of `year` in the program's time zone, oldest first, as CSV cells, read
    from the database `using` (a read replica) or the primary."""
    using = using or DEFAULT_DB_ALIAS
    start, end = periods.calendar_year(year)
    scope = Scope(program=program, start=start, end=end)
    params = {
        "program": program.pk,
        "start": scope.start_at,
        "end": scope.end_at,
        "syringes": Category.SYRINGES,
        "naloxone": Category.NALOXONE,
        "drug_checking": Category.DRUG_CHECKING,
    }
    locations = dict(
        Location.objects.using(using).filter(program=program).values_list("pk", "name")
    )
    staff = dict(
        User.objects.using(using)
        .filter(encounters__program=program)
        .distinct()
        .values_list("pk", "username")
    )
    tz = program.tzinfo
    kinds = dict(Encounter.Kind.choices)
    reasons = dict(Encounter.RefillReason.choices)
    yes, anonymous = _("yes"), _("anonymous")
    rows = _extract_cursor_rows(params, using)
    for occurred_at, location, kind, public_id, staff_id, *rest in rows:
        if isinstance(occurred_at, str):  # SQLite gives text
            occurred_at = datetime.fromisoformat(occurred_at)
        local = occurred_at.astimezone(tz)
        counts, reason, services = rest[:7], rest[7], rest[8:]
        yield [
            local.date().isoformat(),
            local.strftime("%H:%M"),
            locations.get(location, location),
            kinds.get(kind, kind),
            public_id or anonymous,
            staff.get(staff_id, staff_id),
            *counts,
            reasons.get(reason, reason),
            *(yes if done else "" for done in services),
        ]


def stream_csv(rows: Iterator[list], header: list[str]) -> Iterator[str]:
    """CSV text in pieces of ROWS_PER_WRITE rows: few, large writes to the client."""
    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % ROWS_PER_WRITE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
