"""Distinct participants over any period, exactly, from cached sets of participant ids.

A period is cut into whole months and single days. For each piece that closed before the
program's today there is (or will be, after the first request) one row of
`encounters.SeenParticipants`: the ids of the participants seen in it, as a roaring bitmap, for
every location and kind and for all of them. Counting the people of a period is then an OR of
at most about 12 month sets and 60 day sets and a count of bits, whatever the number of
encounters; today and later days are read from the encounters themselves.

The database triggers of encounters migration 0002 delete the rows of a day as soon as an
encounter of that day is added, changed, undone or merged, so a row present is right. Building
rows takes the (program, month) advisory lock the triggers take shared, and only when it is
free: a set is never stored from a snapshot that misses an encounter being written, and a
request never waits for a writer (it reads that month from the encounters instead).

The cache lives on the primary database, with the writes that invalidate it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from pyroaring import BitMap

from reports import periods
from reports.measures import sources
from reports.measures.scope import Scope
from reports.measures.sources import Encounter, Participant, SeenParticipants, summaries_on

DAY, MONTH, LIVE = "day", "month", "live"
ONE_DAY = timedelta(days=1)
ALL = None  # every location
ANY_KIND = ""  # every kind
CACHE_DB = DEFAULT_DB_ALIAS


def sets_on() -> bool:
    """Whether people are counted from the cached sets (PostgreSQL, summaries on, and
    REPORTS_PARTICIPANT_SETS not turned off); elsewhere they are counted by SQL."""
    return summaries_on() and getattr(settings, "REPORTS_PARTICIPANT_SETS", True)


@dataclass(frozen=True)
class Ask:
    """The participants seen from `start` to `end` (days, both included) at a location (or
    all) in encounters of a kind (or any)."""

    start: date
    end: date
    location_id: int | None = ALL
    kind: str = ANY_KIND

    @classmethod
    def of(cls, scope: Scope, start: date | None = None, end: date | None = None) -> Ask:
        return cls(
            start=start or scope.start,
            end=end or scope.end,
            location_id=scope.location.pk if scope.location is not None else ALL,
            kind=scope.kind or ANY_KIND,
        )


def _month_key(day: date) -> int:
    return day.year * 12 + day.month - 1


def pieces(start: date, end: date, today: date) -> list[tuple[str, date, date]]:
    """[start, end] as (grain, first day, last day): whole months that ended before today,
    other days before today one by one, and today onwards as one live stretch."""
    found: list[tuple[str, date, date]] = []
    day = start
    while day <= end:
        if day >= today:
            found.append((LIVE, day, end))
            break
        last = periods.month_end(day)
        if day.day == 1 and last <= end and last < today:
            found.append((MONTH, day, last))
            day = last + ONE_DAY
        else:
            found.append((DAY, day, day))
            day += ONE_DAY
    return found


def _bounds(program, first: date, last: date) -> tuple[datetime, datetime]:
    tz = program.tzinfo
    return (
        datetime.combine(first, time.min, tzinfo=tz),
        datetime.combine(last + ONE_DAY, time.min, tzinfo=tz),
    )


def _ids(cursor, sql: str, params: list) -> BitMap:
    cursor.execute(sql, params)
    row = cursor.fetchone()
    return BitMap(row[0] or []) if row else BitMap()


def _live(program, ask: Ask, first: date, last: date) -> BitMap:
    """The participants of the encounters themselves, for days not cached."""
    start_at, end_at = _bounds(program, first, last)
    sql = [
        f"SELECT array_agg(participant_id) FROM {Encounter._meta.db_table} "  # noqa: S608
        "WHERE program_id = %s AND occurred_at >= %s AND occurred_at < %s "
        "AND participant_id IS NOT NULL AND voided_at IS NULL"
    ]
    params: list = [program.pk, start_at, end_at]
    if ask.location_id is not ALL:
        sql.append("AND location_id = %s")
        params.append(ask.location_id)
    if ask.kind:
        sql.append("AND kind = %s")
        params.append(ask.kind)
    with connections[CACHE_DB].cursor() as cursor:
        return _ids(cursor, " ".join(sql), params)


def _fetch(program, keys: set[tuple]) -> dict[tuple, BitMap]:
    """The cached sets of `keys` (grain, start, location id, kind) that exist, in one query."""
    if not keys:
        return {}
    grains, starts, locations, kinds = zip(*keys, strict=True)
    sql = (
        f"SELECT s.grain, s.start, s.location_id, s.kind, s.participants "  # noqa: S608
        f"FROM {SeenParticipants._meta.db_table} s "
        "JOIN unnest(%s::text[], %s::date[], %s::bigint[], %s::text[]) "
        "AS k(grain, start, location_id, kind) "
        "ON s.grain = k.grain AND s.start = k.start AND s.kind = k.kind "
        "AND s.location_id IS NOT DISTINCT FROM k.location_id "
        "WHERE s.program_id = %s"
    )
    with connections[CACHE_DB].cursor() as cursor:
        cursor.execute(sql, [list(grains), list(starts), list(locations), list(kinds), program.pk])
        return {
            (grain, start, location_id, kind): BitMap.deserialize(bytes(data))
            for grain, start, location_id, kind, data in cursor.fetchall()
        }


def _build(program, missing: set[tuple]) -> dict[tuple, BitMap]:
    """Sets of every location and kind (and of all) for the pieces of `missing`, read from
    the encounters in one query and stored in one, except for months whose lock a writer
    holds: those are only returned (the writer's encounter may not be visible yet)."""
    wanted_pieces = {(grain, first) for grain, first, _location, _kind in missing}
    months = sorted({_month_key(first) for _grain, first in wanted_pieces})
    ranges = []
    for grain, first in sorted(wanted_pieces, key=lambda piece: piece[1]):
        last = periods.month_end(first) if grain == MONTH else first
        if ranges and ranges[-1][1] + ONE_DAY >= first:
            ranges[-1][1] = max(ranges[-1][1], last)
        else:
            ranges.append([first, last])
    found: dict[tuple, BitMap] = {}
    connection = connections[CACHE_DB]
    with transaction.atomic(using=CACHE_DB), connection.cursor() as cursor:
        cursor.execute(
            "SELECT month_key FROM unnest(%s::int[]) AS month_key "
            "WHERE pg_try_advisory_xact_lock(%s, month_key)",
            [months, program.pk],
        )
        locked = {row[0] for row in cursor.fetchall()}
        where, params = [], [program.timezone, program.pk]
        for first, last in ranges:
            where.append("(occurred_at >= %s AND occurred_at < %s)")
            params.extend(_bounds(program, first, last))
        cursor.execute(
            f"SELECT (occurred_at AT TIME ZONE %s)::date, location_id, kind, "  # noqa: S608
            f"array_agg(participant_id) FROM {Encounter._meta.db_table} "
            f"WHERE program_id = %s AND ({' OR '.join(where)}) "
            "AND participant_id IS NOT NULL AND voided_at IS NULL GROUP BY 1, 2, 3",
            params,
        )
        by_piece: dict[tuple[str, date], dict[tuple, BitMap]] = defaultdict(
            lambda: defaultdict(BitMap)
        )
        for day, location_id, kind, ids in cursor.fetchall():
            for piece in ((DAY, day), (MONTH, periods.month_start(day))):
                if piece not in wanted_pieces:
                    continue
                sets = by_piece[piece]
                for key in (
                    (location_id, kind),
                    (location_id, ANY_KIND),
                    (ALL, kind),
                    (ALL, ANY_KIND),
                ):
                    sets[key].update(ids)
        for (grain, first), sets in by_piece.items():
            for (location_id, kind), ids in sets.items():
                found[(grain, first, location_id, kind)] = ids
        # What was asked for and has nobody is stored empty, so it is not rebuilt each time.
        for key in missing:
            found.setdefault(key, BitMap())
        rows = [(key, ids) for key, ids in found.items() if _month_key(key[1]) in locked]
        if rows:
            cursor.execute(
                f"INSERT INTO {SeenParticipants._meta.db_table} "  # noqa: S608
                "(program_id, grain, start, location_id, kind, participants, count) "
                "SELECT %s, * FROM unnest(%s::text[], %s::date[], %s::bigint[], %s::text[], "
                "%s::bytea[], %s::int[]) "
                "ON CONFLICT ON CONSTRAINT seenparticipants_unique DO UPDATE SET "
                "participants = EXCLUDED.participants, count = EXCLUDED.count",
                [
                    program.pk,
                    [key[0] for key, _ids in rows],
                    [key[1] for key, _ids in rows],
                    [key[2] for key, _ids in rows],
                    [key[3] for key, _ids in rows],
                    [ids.serialize() for _key, ids in rows],
                    [len(ids) for _key, ids in rows],
                ],
            )
    return found


def seen(program, asks: Iterable[Ask]) -> list[BitMap]:
    """The set of participant ids of each ask, in order: one query for the cached pieces, three
    more when some are missing (then cached), one per ask reaching today."""
    asks = list(asks)
    today = program.today()
    cut = {ask: pieces(ask.start, ask.end, today) for ask in asks}
    keys = {
        (grain, first, ask.location_id, ask.kind)
        for ask in asks
        for grain, first, _last in cut[ask]
        if grain != LIVE
    }
    found = _fetch(program, keys)
    missing = keys - set(found)
    if missing:
        found.update(_build(program, missing))
    result = []
    for ask in asks:
        parts = [
            _live(program, ask, first, last)
            if grain == LIVE
            else found.get((grain, first, ask.location_id, ask.kind), BitMap())
            for grain, first, last in cut[ask]
        ]
        result.append(BitMap.union(*parts) if parts else BitMap())
    return result


def first_day(program) -> date | None:
    """The local day of the program's first encounter ever (an index's first entry), read
    once per program object."""
    if hasattr(program, "_first_encounter_day"):
        return program._first_encounter_day
    first = (
        Encounter.objects.using(CACHE_DB)
        .filter(program=program, voided_at__isnull=True)
        .order_by("occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    program._first_encounter_day = (
        None if first is None else first.astimezone(program.tzinfo).date()
    )
    return program._first_encounter_day


def served_and_seen_before(scope: Scope, *, before: bool = True) -> tuple[BitMap, BitMap]:
    """Who was served in the scope, and (unless `before` is False) who had an encounter
    anywhere in the program before it, for new participants, in one call."""
    asks = [Ask.of(scope)]
    start = first_day(scope.program) if before else None
    if start is not None and start < scope.start:
        asks.append(Ask(start=start, end=scope.start - ONE_DAY))
    sets = seen(scope.program, asks)
    return sets[0], sets[1] if len(sets) > 1 else BitMap()


def count_served_by_location(scope: Scope, location_ids: Iterable[int]) -> dict[int, int]:
    location_ids = list(location_ids)
    kind = scope.kind or ANY_KIND
    asks = [Ask(scope.start, scope.end, location_id, kind) for location_id in location_ids]
    return {
        location_id: len(ids)
        for location_id, ids in zip(location_ids, seen(scope.program, asks), strict=True)
    }


def count_served_in(scope: Scope, buckets: Iterable[tuple[date, date]]) -> list[int]:
    """People served in each (start, end) of `buckets`, clipped to the scope."""
    asks = [Ask.of(scope, max(start, scope.start), min(end, scope.end)) for start, end in buckets]
    return [len(ids) for ids in seen(scope.program, asks)]


def served_ids(scope: Scope) -> BitMap | None:
    """The ids of the participants served in the scope, from the sets; None where the sets
    are off (then the callers count by SQL)."""
    if not sets_on():
        return None
    return served_and_seen_before(scope, before=False)[0]


def among(column: str, ids: BitMap) -> RawSQL:
    """A condition: `column` (a quoted table.column) is one of `ids`, given as one array
    parameter. `+ 0` keeps PostgreSQL from probing the index once per id: it scans the rows
    and looks each up in a hash of the array, which costs the same for any period."""
    return RawSQL(  # noqa: S611 - the column is ours; the ids go as a parameter
        f"({column} + 0) = ANY(%s::bigint[])",
        ["{" + ",".join(map(str, ids)) + "}"],
        output_field=BooleanField(),
    )


def participants_served(scope: Scope) -> QuerySet[Participant]:
    """Participants with an encounter in the scope: from the sets where they are on (the
    same rows as sources.participants_served, which reads the summaries and encounters)."""
    ids = served_ids(scope)
    if ids is None:
        return sources.participants_served(scope)
    table = Participant._meta.db_table
    return Participant.objects.filter(among(f'"{table}"."id"', ids))


def warm(program, *, months: int = 13) -> int:
    """Build the sets the dashboards and reports will ask for, before anyone waits for them:
    each closed month of the last `months` and each closed day of this month, for every
    location and kind. Costs one query when they are all there; returns how many were built."""
    today = program.today()
    start = periods.month_start(today)
    for _month in range(months):
        start = periods.month_start(start - ONE_DAY)
    first = first_day(program)
    if first is None or today <= start:
        return 0
    keys = {
        (grain, piece_start, ALL, ANY_KIND)
        for grain, piece_start, _last in pieces(max(start, first), today - ONE_DAY, today)
    }
    missing = keys - set(_fetch(program, keys))
    if missing:
        _build(program, missing)
    return len(missing)
