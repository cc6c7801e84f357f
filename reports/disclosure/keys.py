"""Cell keys: the sum of the record keys of the participants or encounters a cell counts.

A record key is PostgreSQL's `hashtext` of the record's id, summed in the database (one
aggregate query per table, no rows loaded). Elsewhere (SQLite for development) there are no
record keys and a cell is known by its place in the report instead (see CellKeys.of).
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Exists, Func, IntegerField, OuterRef, Sum, TextField
from django.db.models.functions import Cast

from participants.models import Participant
from reports.measures import Scope, sources
from reports.measures.breakdowns import choice_label

PARTICIPANTS = "participants"
ENCOUNTERS = "encounters"


class RecordKey(Func):
    """hashtext(id::text): a record's key, the same for a participant in every table."""

    function = "hashtext"
    output_field = IntegerField()

    def __init__(self, field: str):
        super().__init__(Cast(field, output_field=TextField()))


def record_keys_available() -> bool:
    return connection.vendor == "postgresql"


def _sum(field: str):
    # Distinct: a participant with three encounters at a site is one person there.
    return Sum(RecordKey(field), distinct=True)


def scalar_keys(scope: Scope, measure_keys: list[str]) -> dict[str, int]:
    """Cell keys of the scalar measures that count a set of participants or encounters."""
    if not record_keys_available():
        return {}
    found: dict[str, int] = {}
    if "unduplicated_participants" in measure_keys:
        found["unduplicated_participants"] = served_key(scope)
    if "new_participants" in measure_keys:
        earlier = sources.Encounter.objects.filter(
            participant=OuterRef("pk"), occurred_at__lt=scope.start_at
        )
        found["new_participants"] = (
            sources.participants_served(scope)
            .exclude(Exists(earlier))
            .aggregate(key=Sum(RecordKey("pk")))["key"]
            or 0
        )
    if "encounters" in measure_keys:
        found["encounters"] = encounters_key(scope)
    return found


def served_key(scope: Scope) -> int:
    return sources.participants_served(scope).aggregate(key=Sum(RecordKey("pk")))["key"] or 0


def encounters_key(scope: Scope) -> int:
    return sources.encounters_in(scope).aggregate(key=Sum(RecordKey("pk")))["key"] or 0


CHOICE_FIELDS = {
    "gender": ("gender_identity", Participant.GenderIdentity.choices),
    "race_ethnicity": ("race_ethnicity", Participant.RaceEthnicity.choices),
}


def breakdown_keys(scope: Scope, key: str) -> dict[tuple[str, int], int]:
    """(row label, column) -> cell key, for the breakdowns whose cells are sets we can key;
    with the total row's cells under the label None."""
    if not record_keys_available():
        return {}
    if key in CHOICE_FIELDS:
        field, choices = CHOICE_FIELDS[key]
        rows = (
            sources.participants_served(scope)
            .values_list(field)
            .annotate(key=Sum(RecordKey("pk")))
            .order_by()
        )
        found = {(choice_label(choices, value), 0): cell_key for value, cell_key in rows}
        found[(None, 0)] = served_key(scope)
        return found
    if key == "encounters_by_site":
        rows = (
            sources.encounters_in(scope)
            .values_list("location__name")
            .annotate(encounters=Sum(RecordKey("pk")), people=_sum("participant_id"))
            .order_by()
        )
        found = {}
        for name, encounters, people in rows:
            found[(name, 0)] = encounters or 0
            found[(name, 1)] = people or 0
        found[(None, 0)] = encounters_key(scope)
        return found
    if key == "encounters_by_kind":
        return {(None, 0): encounters_key(scope)}
    if key in ("age_band", "zip3", "populations", "substances", "routes_of_use"):
        # Their total (where they have one) is everyone served.
        return {(None, 0): served_key(scope)}
    return {}
