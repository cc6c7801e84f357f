"""The manager's encounter-level extract: one CSV row per encounter of a year, streamed.

Rows are read through a server-side cursor in chunks and written out as they come, so memory
stays flat however many encounters the year holds. Participants appear by public id only.
"""

import csv
import io
from collections.abc import Iterator
from datetime import date

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.models import Program
from participants.models import Encounter
from reports.measures import Scope, encounters_in
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


def _units(**condition):
    return Coalesce(Sum("supplies__quantity", filter=Q(**condition)), 0)


def encounter_extract_rows(program: Program, *, year: int) -> Iterator[list]:
    """The encounters of `year` in the program's time zone, oldest first, as CSV cells."""
    scope = Scope(program=program, start=date(year, 1, 1), end=date(year, 12, 31))
    naloxone_doses = Coalesce(
        Sum(
            Coalesce(F("supplies__item__doses_per_unit"), 1) * F("supplies__quantity"),
            filter=Q(supplies__item__category=Category.NALOXONE),
        ),
        0,
    )
    rows = (
        encounters_in(scope)
        .annotate(
            syringes=_units(supplies__item__category=Category.SYRINGES),
            doses=naloxone_doses,
            test_strips=_units(supplies__item__category=Category.DRUG_CHECKING),
            other_units=Coalesce(
                Sum(
                    "supplies__quantity",
                    filter=~Q(
                        supplies__item__category__in=[
                            Category.SYRINGES,
                            Category.NALOXONE,
                            Category.DRUG_CHECKING,
                        ]
                    ),
                ),
                0,
            ),
        )
        .values_list(
            "occurred_at",
            "location__name",
            "kind",
            "participant__public_id",
            "staff__username",
            "syringes",
            "doses",
            "test_strips",
            "other_units",
            "syringes_collected",
            "secondary_distribution_for",
            "overdose_reversals_reported",
            "naloxone_refill_reason",
            *Encounter.SERVICE_FIELDS,
        )
        .order_by("occurred_at", "id")
    )
    tz = program.tzinfo
    kinds = dict(Encounter.Kind.choices)
    reasons = dict(Encounter.RefillReason.choices)
    yes = _("yes")
    for occurred_at, location, kind, public_id, staff, *numbers in rows.iterator(
        chunk_size=CHUNK_SIZE
    ):
        local = occurred_at.astimezone(tz)
        counts, reason, services = numbers[:7], numbers[7], numbers[8:]
        yield [
            local.date().isoformat(),
            local.strftime("%H:%M"),
            location,
            kinds.get(kind, kind),
            public_id or _("anonymous"),
            staff,
            *counts,
            reasons.get(reason, reason),
            *(yes if done else "" for done in services),
        ]


def stream_csv(rows: Iterator[list], header: list[str]) -> Iterator[str]:
    """CSV text in pieces of ROWS_PER_WRITE rows: few, large writes to the client."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % ROWS_PER_WRITE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
