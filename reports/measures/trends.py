"""Trends and sites: the same counts grouped by week, month or location.

`trend()` gives measures for every week or month of a scope, `by_location()` for every
location. Groupable measures (GROUPABLE) cost one grouped query per source for all the weeks,
months or locations; any other measure costs a `compute()` for each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek

from reports import periods
from reports.measures import people, sources
from reports.measures.registry import Value_
from reports.measures.scalars import compute, ratio
from reports.measures.scope import Scope
from reports.measures.sources import DOSES_FROM_STOCK, Location
from reports.periods import Grain

# Measure -> the parts it is the sum of, from several sources.
_PARTS = {
    "syringes_collected": ("_collected_at_encounters", "_collected_apart"),
    "naloxone_doses": ("_doses_at_encounters", "_doses_at_trainings"),
    "collection_ratio": (
        "_collected_at_encounters",
        "_collected_apart",
        "syringes_distributed",
    ),
}
GROUPABLE = {
    "unduplicated_participants",
    *(key for key in sources.ENCOUNTER_SUMS if not key.startswith("_")),
    *(key for key in sources.SUPPLY_SUMS if not key.startswith("_")),
    *_PARTS,
}


@dataclass(frozen=True)
class _Grouping:
    """The expression each source is grouped by, as a function of the source's name:
    "encounters", "encounter_totals", "supplies", "supply_totals", "collections", "trainings".
    """

    group_by: Callable[[str], object]
    normalise: Callable[[object], object] = lambda value: value
    # Whether every group is made of whole months, so participant months can count people.
    whole_months: bool = False
    # A field of encounters and participant months that is the group itself (a location).
    distinct_by: str | None = None


def _grouped(scope: Scope, keys: list[str], grouping: _Grouping) -> dict[object, dict]:
    """group -> {key: value} for GROUPABLE keys; one grouped aggregate query per source."""
    parts = set()
    for key in keys:
        parts.update(_PARTS.get(key, (key,)))
    found: dict[object, dict] = {}
    totals = sources.summaries_on()

    def collect(queryset, source: str, expressions: dict) -> None:
        if not expressions:
            return
        rows = (
            queryset.annotate(group=grouping.group_by(source))
            .values("group")
            .annotate(
                **{
                    sources.ALIAS + name: Coalesce(expression, 0)
                    for name, expression in expressions.items()
                }
            )
            .order_by()
        )
        for row in rows:
            group = row.pop("group")
            if group is not None:
                found.setdefault(grouping.normalise(group), {}).update(sources.unaliased(row))

    encounter_sums = {
        name: make[1 if totals else 0]()
        for name, make in sources.ENCOUNTER_SUMS.items()
        if name in parts
    }
    if totals:
        collect(sources.encounter_totals(scope), "encounter_totals", encounter_sums)
        encounter_sums = {}
    if "unduplicated_participants" not in parts:
        pass
    elif grouping.distinct_by and people.sets_on():
        # The locations with encounters in the scope, as the daily totals gave them.
        groups = list(found) or list(
            sources.Location.objects.filter(program=scope.program).values_list("pk", flat=True)
        )
        for group, count in people.count_served_by_location(scope, groups).items():
            if not count and group not in found:
                continue
            found.setdefault(group, {})["unduplicated_participants"] = count
    elif grouping.distinct_by and totals:
        for group, served in sources.count_distinct_by(scope, grouping.distinct_by).items():
            if group is not None:
                found.setdefault(group, {})["unduplicated_participants"] = served
    elif grouping.whole_months and sources.reads_participant_months(scope):
        collect(
            sources.participant_months(scope),
            "participant_months",
            {"unduplicated_participants": Count("participant_id", distinct=True)},
        )
    else:
        encounter_sums["unduplicated_participants"] = Count("participant_id", distinct=True)
    collect(sources.encounters_in(scope), "encounters", encounter_sums)
    collect(
        sources.supply_category_totals(scope) if totals else sources.supplies(scope),
        "supply_totals" if totals else "supplies",
        {
            name: make()
            for name, make in (sources.CATEGORY_SUMS if totals else sources.SUPPLY_SUMS).items()
            if name in parts
        },
    )
    if "_collected_apart" in parts:
        collect(sources.collections(scope), "collections", {"_collected_apart": Sum("syringes")})
    if "_doses_at_trainings" in parts:
        collect(
            sources.naloxone_given_at_trainings(scope),
            "trainings",
            {"_doses_at_trainings": Sum(DOSES_FROM_STOCK)},
        )
    return {group: _finish(values, keys) for group, values in found.items()}


def _finish(parts: dict, keys: list[str]) -> dict[str, Value_]:
    def part(name):
        return parts.get(name, 0)

    collected = part("_collected_at_encounters") + part("_collected_apart")
    derived = {
        "syringes_collected": collected,
        "naloxone_doses": part("_doses_at_encounters") + part("_doses_at_trainings"),
        "collection_ratio": ratio(collected, part("syringes_distributed")),
    }
    return {key: derived[key] if key in derived else part(key) for key in keys}


def _as_day(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def _inner_months(scope: Scope) -> Scope | None:
    """The whole calendar months inside the scope, as a scope, or None if there are none."""
    months = periods.inner_months(scope.start, scope.end)
    return None if months is None else scope.with_period(*months)


def trend(scope: Scope, keys: Iterable[str], grain: Grain) -> list[tuple[date, dict[str, Value_]]]:
    """The measures `keys` for every week (from Monday) or month of the scope, clipped to it.

    Groupable measures (GROUPABLE) cost one grouped query per source for all buckets; any
    other measure costs a compute() per bucket, so a trend should ask for few of those.
    """
    keys = list(keys)
    trunc = TruncWeek if grain == "week" else TruncMonth
    tz = scope.tzinfo
    fields = {
        "encounters": "occurred_at",
        "supplies": "encounter__occurred_at",
        "encounter_totals": "day",
        "supply_totals": "day",
        "participant_months": "month",
        "collections": "collected_on",
        "trainings": "training_session__held_on",
    }
    grouping = _Grouping(
        group_by=lambda source: (
            trunc(fields[source], tzinfo=tz)
            if source in ("encounters", "supplies")
            # Participant months are months already: grouped as they are, in index order.
            else F("month")
            if source == "participant_months"
            else trunc(fields[source])
        ),
        normalise=_as_day,
        whole_months=grain == "month",
    )
    grouped_keys = [key for key in keys if key in GROUPABLE]
    other_keys = [key for key in keys if key not in GROUPABLE]
    bucket_bounds = periods.buckets(scope.start, scope.end, grain)
    people_from_sets = None
    if "unduplicated_participants" in grouped_keys and people.sets_on():
        grouped_keys.remove("unduplicated_participants")
        people_from_sets = people.count_served_in(scope, bucket_bounds)
    # People by month when the scope begins or ends inside a month: whole months from the
    # participant months in one query, each partial month at an edge on its own.
    inner = _inner_months(scope) if grain == "month" and sources.summaries_on() else None
    people_apart = (
        "unduplicated_participants" in grouped_keys
        and grain == "month"
        and sources.summaries_on()
        and not sources.reads_participant_months(scope)
    )
    people_by_month = {}
    if people_apart:
        grouped_keys.remove("unduplicated_participants")
        if inner is not None:
            people_by_month = {
                month: numbers["unduplicated_participants"]
                for month, numbers in _grouped(
                    inner, ["unduplicated_participants"], grouping
                ).items()
            }
    grouped = _grouped(scope, grouped_keys, grouping) if grouped_keys else {}
    result = []
    for index, (start, end) in enumerate(bucket_bounds):
        numbers = grouped.get(start) or _finish({}, grouped_keys)
        if people_from_sets is not None:
            numbers = {**numbers, "unduplicated_participants": people_from_sets[index]}
        bucket = scope.with_period(max(start, scope.start), min(end, scope.end))
        if other_keys:
            numbers = {**numbers, **compute(bucket, other_keys)}
        if people_apart:
            whole = inner is not None and inner.start <= bucket.start and bucket.end <= inner.end
            numbers["unduplicated_participants"] = (
                people_by_month.get(start, 0)
                if whole
                else compute(bucket, ["unduplicated_participants"])["unduplicated_participants"]
            )
        result.append((start, {key: numbers[key] for key in keys}))
    return result


def by_location(scope: Scope, keys: Iterable[str]) -> list[tuple[Location, dict[str, Value_]]]:
    """The measures `keys` for each location of the program with activity in the scope (or
    the scope's one location), by name. Groupable measures cost one grouped query per source.
    """
    keys = list(keys)
    fields = {"supplies": "encounter__location_id", "trainings": "training_session__location_id"}
    grouping = _Grouping(
        group_by=lambda source: F(fields.get(source, "location_id")), distinct_by="location_id"
    )
    grouped_keys = [key for key in keys if key in GROUPABLE]
    other_keys = [key for key in keys if key not in GROUPABLE]
    grouped = _grouped(scope, grouped_keys, grouping) if grouped_keys else {}
    result = []
    for location in sources.locations_by_name(scope.program, grouped):
        numbers = grouped[location.pk]
        if other_keys:
            numbers = {**numbers, **compute(replace(scope, location=location), other_keys)}
        result.append((location, {key: numbers[key] for key in keys}))
    return result
