"""Every number the dashboard, the funder reports and the API show, computed in one place.

A measure is computed for a `Scope` (a program, a period of whole days in the program's time
zone, and optionally one location and one encounter kind) by aggregate queries: rows are never
loaded into Python. `compute()` gives scalar measures, `breakdown()` a table by some category,
`trend()` scalar measures by week or month. Each measure has a one-line definition that is
shown beside it on the page and in every export.

Queries are shared: `compute()` reads the encounters of a period once for all the measures
about encounters, the supply lines once for all the measures about supplies, and so on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    BooleanField,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Location, Program
from participants.models import (
    DECLINED,
    DECLINED_LABEL,
    Characteristic,
    DailyEncounterTotals,
    DailySupplyTotals,
    Encounter,
    EncounterSupply,
    Participant,
    ParticipantFirstMonth,
    ParticipantMonth,
    ParticipantYear,
)
from referrals.models import Referral, ReferralKind
from reports import periods
from reports.periods import Grain
from supplies.models import Item, OverdoseReversal, StockMovement, SyringeCollection
from training.models import Attendee, TrainingSession

Value_ = int | float | None
Category = Item.Category


# --- Scope ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What a measure is computed over.

    `start` and `end` are days, both included, in the program's time zone. `location` narrows
    every measure that has a place (encounters, collections, trainings by the stock they drew
    on, referrals made at an encounter there). `kind` narrows the measures about encounters
    only; the others (collections, trainings, reversal reports) have no encounter kind and are
    left out when a kind is chosen.
    """

    program: Program
    start: date
    end: date
    location: Location | None = None
    kind: str | None = None

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("A scope ends on or after the day it starts.")

    @property
    def tzinfo(self):
        return self.program.tzinfo

    @property
    def start_at(self) -> datetime:
        """Midnight starting the first day, in the program's time zone."""
        return datetime.combine(self.start, time.min, tzinfo=self.tzinfo)

    @property
    def end_at(self) -> datetime:
        """Midnight after the last day, in the program's time zone (excluded)."""
        return datetime.combine(periods.day_after(self.end), time.min, tzinfo=self.tzinfo)

    @property
    def days(self) -> int:
        return periods.length_in_days(self.start, self.end)

    def previous(self) -> Scope:
        """The period just before, of the same length: whole months give whole months."""
        start, end = periods.previous_period(self.start, self.end)
        return replace(self, start=start, end=end)

    def with_period(self, start: date, end: date) -> Scope:
        return replace(self, start=start, end=end)


def month_scope(program: Program, day: date, **filters) -> Scope:
    """The calendar month holding `day`."""
    start, end = periods.period_containing(day, periods.MONTHLY)
    return Scope(program=program, start=start, end=end, **filters)


# --- Definitions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureDef:
    key: str
    label: Promise | str
    definition: Promise | str
    counts_people: bool
    list_url_name: str | None = None


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    definition: str
    counts_people: bool
    row_header: str
    columns: list[str]
    rows: list[tuple[str, list[Value_]]]
    # Which columns count people when the table mixes people with things (e.g. sessions and
    # people trained); None means every column follows counts_people.
    people_columns: tuple[int, ...] | None = None

    def counts_people_in(self, column: int) -> bool:
        if not self.counts_people:
            return False
        return self.people_columns is None or column in self.people_columns


@dataclass(frozen=True)
class BreakdownDef:
    key: str
    label: Promise | str
    definition: Promise | str
    counts_people: bool


def _measure(key, label, definition, *, people=False, url=None) -> tuple[str, MeasureDef]:
    return key, MeasureDef(key, label, definition, people, url)


ENCOUNTER_LIST = "participants:encounter_list"

MEASURES: dict[str, MeasureDef] = dict(
    [
        _measure(
            "unduplicated_participants",
            _("Participants served"),
            _(
                "Distinct participants with at least one encounter in the period; anonymous "
                "encounters are counted apart."
            ),
            people=True,
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "new_participants",
            _("New participants"),
            _(
                "Participants whose first encounter ever with the program was in the period "
                "(a merged participant counts once)."
            ),
            people=True,
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "encounters",
            _("Encounters"),
            _("Encounters in the period, with a participant or anonymous."),
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "anonymous_encounters",
            _("Anonymous encounters"),
            _("Encounters in the period recorded without a participant."),
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "median_days_in_program",
            _("Time in program (median days)"),
            _(
                "For participants served in the period: the median number of days from their "
                "first encounter ever to their last encounter in the period."
            ),
        ),
        _measure(
            "syringes_distributed",
            _("Syringes distributed"),
            _("Syringes handed out at encounters in the period."),
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "syringes_collected",
            _("Used syringes collected"),
            _(
                "Used syringes collected at encounters, from drop boxes and at community "
                "clean-ups in the period; a weight is converted with the program's syringes "
                "per pound."
            ),
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "collection_ratio",
            _("Collection ratio"),
            _("Used syringes collected divided by syringes distributed in the period."),
        ),
        _measure(
            "naloxone_doses",
            _("Naloxone doses distributed"),
            _(
                "Naloxone doses handed out at encounters and at trainings in the period; a "
                "two-dose kit counts as two."
            ),
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "naloxone_doses_participants",
            _("Naloxone doses to participants"),
            _(
                "Naloxone doses handed out at encounters where the participant took nothing "
                "for others."
            ),
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "naloxone_doses_for_others",
            _("Naloxone doses for others"),
            _(
                "Naloxone doses handed out at encounters where the participant also took "
                "supplies for others (secondary distribution)."
            ),
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "naloxone_doses_trainings",
            _("Naloxone doses at trainings"),
            _("Naloxone doses handed out at the program's trainings held in the period."),
            url="training:list",
        ),
        _measure(
            "naloxone_refills",
            _("Naloxone refills"),
            _(
                "Encounters in the period where naloxone was given to replace an earlier kit "
                "(used, lost or given away)."
            ),
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "reversals_reported",
            _("Overdose reversals reported"),
            _(
                "Overdose reversals told at encounters in the period plus reversal reports "
                "dated in the period."
            ),
        ),
        _measure(
            "test_strips_distributed",
            _("Test strips distributed"),
            _(
                "Drug-checking supplies (fentanyl and xylazine test strips) handed out at "
                "encounters in the period."
            ),
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "secondary_distribution_people",
            _("People reached through secondary distribution"),
            _(
                "The number of others participants said they took supplies for, summed over "
                "the encounters of the period."
            ),
        ),
        _measure(
            "referrals_made",
            _("Referrals made"),
            _("Referrals made in the period, whatever their status now."),
            people=True,
            url="referrals:follow_ups",
        ),
        _measure(
            "referrals_linked",
            _("Referrals linked"),
            _("Referrals made in the period that are now linked or completed."),
            people=True,
            url="referrals:follow_ups",
        ),
        _measure(
            "linkage_rate",
            _("Linkage rate"),
            _("Referrals linked divided by referrals made in the period."),
        ),
        _measure(
            "median_days_to_linkage",
            _("Median days to linkage"),
            _("For referrals made in the period and linked: the median days from made to linked."),
        ),
        _measure(
            "trainings",
            _("Trainings held"),
            _("Training sessions held in the period."),
            url="training:list",
        ),
        _measure(
            "people_trained",
            _("People trained"),
            _("People at the training sessions held in the period."),
            people=True,
            url="training:list",
        ),
        _measure(
            "law_enforcement_trained",
            _("Law-enforcement officers trained"),
            _(
                "People at law-enforcement trainings, or at any training given to a "
                "law-enforcement audience, held in the period."
            ),
            people=True,
            url="training:list",
        ),
        _measure(
            "training_knowledge_gain",
            _("Knowledge gain at trainings (points)"),
            _(
                "For attendees of trainings held in the period with a pre-test and a "
                "post-test score: the average of post minus pre, out of 100."
            ),
        ),
        _measure(
            "locations_active",
            _("Distribution locations active"),
            _("Locations with at least one encounter in the period."),
            url="accounts:locations",
        ),
    ]
)


def _breakdown(key, label, definition, *, people=False) -> tuple[str, BreakdownDef]:
    return key, BreakdownDef(key, label, definition, people)


BREAKDOWNS: dict[str, BreakdownDef] = dict(
    [
        _breakdown(
            "encounters_by_site",
            _("Encounters by location"),
            _("Encounters and distinct participants in the period, by location."),
            people=True,
        ),
        _breakdown(
            "encounters_by_kind",
            _("Encounters by kind"),
            _("Encounters in the period by kind (fixed site, mobile unit, outreach...)."),
        ),
        _breakdown(
            "age_band",
            _("Participants by age"),
            _("Participants served in the period by age at the end of the period."),
            people=True,
        ),
        _breakdown(
            "gender",
            _("Participants by gender identity"),
            _("Participants served in the period by gender identity."),
            people=True,
        ),
        _breakdown(
            "race_ethnicity",
            _("Participants by race and ethnicity"),
            _("Participants served in the period by race and ethnicity."),
            people=True,
        ),
        _breakdown(
            "zip3",
            _("Participants by ZIP code area"),
            _("Participants served in the period by the first three digits of their ZIP code."),
            people=True,
        ),
        _breakdown(
            "populations",
            _("Participants by population"),
            _(
                "Participants served in the period who belong to each population; one person "
                "may be in several."
            ),
            people=True,
        ),
        _breakdown(
            "substances",
            _("Participants by substance used"),
            _(
                "Participants served in the period who use each substance; one person may "
                "use several."
            ),
            people=True,
        ),
        _breakdown(
            "supplies_by_category",
            _("Supplies by category"),
            _("Units handed out at encounters in the period, by supply category."),
        ),
        _breakdown(
            "supplies_by_funding_source",
            _("Supplies by funding source"),
            _(
                "Units handed out at encounters and trainings in the period, by the funding "
                "source of the stock lot they came from and by category."
            ),
        ),
        _breakdown(
            "naloxone_doses_by_recipient",
            _("Naloxone doses by recipient"),
            _(
                "Naloxone doses handed out in the period: to participants, for others, at "
                "trainings."
            ),
        ),
        _breakdown(
            "refill_reasons",
            _("Naloxone refills by reason"),
            _("Encounters in the period where naloxone replaced an earlier kit, by why."),
        ),
        _breakdown(
            "syringes_collected_by_source",
            _("Used syringes collected by source"),
            _("Used syringes collected in the period: at encounters, drop boxes, clean-ups."),
        ),
        _breakdown(
            "referrals_by_kind_status",
            _("Referrals by kind and status"),
            _("Referrals made in the period by kind, and the status each has now."),
            people=True,
        ),
        _breakdown(
            "trainings_by_kind",
            _("Trainings by kind"),
            _("Training sessions held in the period and people trained, by kind of training."),
            people=True,
        ),
        _breakdown(
            "trainings_by_audience",
            _("Trainings by audience"),
            _("Training sessions held in the period and people trained, by audience."),
            people=True,
        ),
    ]
)


# --- Building blocks ---------------------------------------------------------------------------


class Median(Aggregate):
    """PostgreSQL's exact median; `_median()` reads it by position elsewhere."""

    function = "PERCENTILE_CONT"
    name = "median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


def _median_duration(values: QuerySet, field: str) -> timedelta | None:
    """The median of a duration column of `values` (a values() queryset), in one query on
    PostgreSQL, in two elsewhere (count, then the middle rows by position)."""
    if connection.vendor == "postgresql":
        return values.aggregate(median=Median(field, output_field=DurationField()))["median"]
    count = values.count()
    if not count:
        return None
    middle = list(
        values.order_by(field).values_list(field, flat=True)[(count - 1) // 2 : count // 2 + 1]
    )
    return sum(middle, timedelta()) / len(middle)


def _days(duration: timedelta | None) -> float | None:
    return None if duration is None else round(duration.total_seconds() / 86400, 1)


def _ratio(part: Value_, whole: Value_) -> float | None:
    return round(part / whole, 3) if whole else None


def encounters_in(scope: Scope) -> QuerySet[Encounter]:
    """The encounters a scope covers."""
    encounters = Encounter.objects.filter(
        program=scope.program, occurred_at__gte=scope.start_at, occurred_at__lt=scope.end_at
    )
    if scope.location is not None:
        encounters = encounters.filter(location=scope.location)
    if scope.kind:
        encounters = encounters.filter(kind=scope.kind)
    return encounters


def _supply_lines(scope: Scope) -> QuerySet[EncounterSupply]:
    lines = EncounterSupply.objects.filter(
        encounter__program=scope.program,
        encounter__occurred_at__gte=scope.start_at,
        encounter__occurred_at__lt=scope.end_at,
    )
    if scope.location is not None:
        lines = lines.filter(encounter__location=scope.location)
    if scope.kind:
        lines = lines.filter(encounter__kind=scope.kind)
    return lines


def summaries_on() -> bool:
    """Whether encounter and supply sums come from the daily totals the PostgreSQL triggers
    keep (participants/summary_sql.py). Elsewhere, and with REPORTS_SUMMARY_TABLES = False,
    they are read from the encounters themselves, with the same results."""
    return connection.vendor == "postgresql" and getattr(settings, "REPORTS_SUMMARY_TABLES", True)


def _summary_rows(model, scope: Scope, *, period_field: str) -> QuerySet:
    """Rows of a trigger-kept summary table (keyed by program, period, location and kind)."""
    rows = model.objects.filter(
        program=scope.program,
        **{f"{period_field}__gte": scope.start, f"{period_field}__lte": scope.end},
    )
    if scope.location is not None:
        rows = rows.filter(location=scope.location)
    if scope.kind:
        rows = rows.filter(kind=scope.kind)
    return rows


def _encounter_totals(scope: Scope) -> QuerySet[DailyEncounterTotals]:
    return _summary_rows(DailyEncounterTotals, scope, period_field="day")


def _supply_totals(scope: Scope) -> QuerySet[DailySupplyTotals]:
    return _summary_rows(DailySupplyTotals, scope, period_field="day")


def _supplies(scope: Scope) -> QuerySet:
    """Supply quantities of the scope: daily totals or encounter lines, both with `item`,
    `quantity` and `for_others` to filter and sum on."""
    if summaries_on():
        return _supply_totals(scope)
    return _supply_lines(scope).annotate(
        for_others=ExpressionWrapper(
            Q(encounter__secondary_distribution_for__gt=0), output_field=BooleanField()
        )
    )


def _collections(scope: Scope) -> QuerySet[SyringeCollection]:
    if scope.kind:
        return SyringeCollection.objects.none()
    collections = SyringeCollection.objects.filter(
        program=scope.program, collected_on__gte=scope.start, collected_on__lte=scope.end
    )
    if scope.location is not None:
        collections = collections.filter(location=scope.location)
    return collections


def _training_sessions(scope: Scope) -> QuerySet[TrainingSession]:
    if scope.kind:
        return TrainingSession.objects.none()
    sessions = TrainingSession.objects.filter(
        program=scope.program, held_on__gte=scope.start, held_on__lte=scope.end
    )
    if scope.location is not None:
        sessions = sessions.filter(location=scope.location)
    return sessions


def _reversal_reports(scope: Scope) -> QuerySet[OverdoseReversal]:
    # Reports carry a coarse area, not a location, so a location or kind leaves them out.
    if scope.kind or scope.location is not None:
        return OverdoseReversal.objects.none()
    return OverdoseReversal.objects.filter(
        program=scope.program, reported_on__gte=scope.start, reported_on__lte=scope.end
    )


def _referrals(scope: Scope) -> QuerySet[Referral]:
    referrals = Referral.objects.filter(
        program=scope.program, made_at__gte=scope.start_at, made_at__lt=scope.end_at
    )
    if scope.location is not None:
        referrals = referrals.filter(encounter__location=scope.location)
    if scope.kind:
        referrals = referrals.filter(encounter__kind=scope.kind)
    return referrals


def _inner_months(scope: Scope) -> Scope | None:
    """The whole calendar months inside the scope, as a scope, or None if there are none."""
    inner = periods.inner_months(scope.start, scope.end)
    return None if inner is None else scope.with_period(*inner)


def _by_participant_months(scope: Scope) -> bool:
    """Whole months on PostgreSQL: distinct participants come from ParticipantMonth alone."""
    return summaries_on() and periods.whole_months(scope.start, scope.end) > 0


def _participant_months(scope: Scope) -> QuerySet[ParticipantMonth]:
    return _summary_rows(ParticipantMonth, scope, period_field="month")


def _participant_years(scope: Scope) -> QuerySet[ParticipantYear]:
    return _summary_rows(ParticipantYear, scope, period_field="year")


def _pieces(scope: Scope) -> tuple[list[Scope], list[Scope], list[Scope]]:
    """The scope cut into whole calendar years, whole months and the days at its edges."""
    return tuple(
        [scope.with_period(start, end) for start, end in pieces]
        for pieces in periods.split_into_whole_years_and_months(scope.start, scope.end)
    )


def _seen(scope: Scope, *fields: str) -> QuerySet:
    """The distinct values(*fields) of participants seen in the scope: on PostgreSQL the
    participant years of its whole years, the participant months of its other whole months and
    the encounters of the days at its edges, united; elsewhere all its encounters."""
    if summaries_on():
        years, months, edges = _pieces(scope)
    else:
        years, months, edges = [], [], [scope]
    parts = (
        [_participant_years(piece) for piece in years]
        + [_participant_months(piece) for piece in months]
        + [encounters_in(edge).filter(participant__isnull=False) for edge in edges]
    )
    parts = [part.values(*fields).order_by() for part in parts]
    if len(parts) == 1:
        return parts[0].distinct()
    return parts[0].union(*parts[1:])  # UNION, not UNION ALL: each value once


def _served_ids(scope: Scope) -> QuerySet:
    """The distinct ids of participants served: a values() queryset of `participant_id`."""
    return _seen(scope, "participant_id")


def _count_distinct_by(scope: Scope, field: str) -> dict:
    """field value -> distinct participants seen in the scope, in one query."""
    seen_sql, params = _seen(scope, field, "participant_id").query.sql_with_params()
    sql = (
        f"SELECT seen.{field}, COUNT(*) FROM ({seen_sql}) seen "  # noqa: S608 - field is ours
        f"GROUP BY seen.{field}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def participants_served(scope: Scope) -> QuerySet[Participant]:
    """Participants with an encounter in the scope (a semi-join, not a list of ids)."""
    return Participant.objects.filter(pk__in=_served_ids(scope))


DOSES = Coalesce(F("item__doses_per_unit"), 1) * F("quantity")
IS_NALOXONE = Q(item__category=Category.NALOXONE)
FOR_OTHERS = Q(for_others=True)


ALIAS = "value__"


def _unaliased(row: dict) -> dict:
    return {key.removeprefix(ALIAS): value for key, value in row.items()}


# Sums over the encounters of a scope: (read from encounters, read from the daily totals).
_ENCOUNTER_SUMS = {
    "encounters": (lambda: Count("pk"), lambda: Sum("encounters")),
    "anonymous_encounters": (
        lambda: Count("pk", filter=Q(participant__isnull=True)),
        lambda: Sum("anonymous_encounters"),
    ),
    "locations_active": (
        lambda: Count("location_id", distinct=True),
        lambda: Count("location_id", distinct=True, filter=Q(encounters__gt=0)),
    ),
    "naloxone_refills": (
        lambda: Count("pk", filter=~Q(naloxone_refill_reason="")),
        lambda: Sum("naloxone_refills"),
    ),
    "secondary_distribution_people": (
        lambda: Sum("secondary_distribution_for"),
        lambda: Sum("secondary_distribution_for"),
    ),
    "_collected_at_encounters": (
        lambda: Sum("syringes_collected"),
        lambda: Sum("syringes_collected"),
    ),
    "_reversals_at_encounters": (
        lambda: Sum("overdose_reversals_reported"),
        lambda: Sum("reversals_reported"),
    ),
}
# Sums over supply lines or supply totals: the same expressions read both.
_SUPPLY_SUMS = {
    "syringes_distributed": lambda: Sum("quantity", filter=Q(item__category=Category.SYRINGES)),
    "test_strips_distributed": lambda: Sum(
        "quantity", filter=Q(item__category=Category.DRUG_CHECKING)
    ),
    "_doses_at_encounters": lambda: Sum(DOSES, filter=IS_NALOXONE),
}


# --- The facts of a scope, each read once -----------------------------------------------------


class _Facts:
    """Lazily read groups of numbers about one scope; each group is one aggregate query."""

    def __init__(self, scope: Scope):
        self.scope = scope

    @cached_property
    def encounters(self) -> dict:
        # Aliases apart from the totals' own column names, which an alias may not shadow.
        sums = {
            ALIAS + name: Coalesce(expressions[1 if summaries_on() else 0](), 0)
            for name, expressions in _ENCOUNTER_SUMS.items()
        }
        source = _encounter_totals(self.scope) if summaries_on() else encounters_in(self.scope)
        return _unaliased(source.aggregate(**sums))

    @cached_property
    def participants(self) -> int:
        # COUNT(*) over a DISTINCT subquery: PostgreSQL hashes it, faster than COUNT(DISTINCT).
        return _served_ids(self.scope).count()

    @cached_property
    def new_participants(self) -> int:
        """Served participants with nothing before the period. Whole months: their first month
        (kept by the triggers) is in the period. Otherwise one anti-join per participant."""
        scope = self.scope
        if _by_participant_months(scope):
            firsts = ParticipantFirstMonth.objects.filter(
                program=scope.program, first_month__gte=scope.start, first_month__lte=scope.end
            )
            if scope.location is not None or scope.kind:
                firsts = firsts.filter(participant_id__in=_served_ids(scope))
            return firsts.count()
        served_sql, params = _served_ids(scope).query.sql_with_params()
        quote = connection.ops.quote_name
        earlier = (
            f"NOT EXISTS (SELECT 1 FROM {quote(Encounter._meta.db_table)} earlier "  # noqa: S608
            "WHERE earlier.participant_id = served.participant_id AND earlier.occurred_at < %s)"
        )
        if summaries_on():
            # A first month after the period's first month is new, one before is not; only
            # those whose first month holds the period's first day need a look at encounters.
            sql = (
                f"SELECT COUNT(*) FROM ({served_sql}) served "  # noqa: S608
                f"JOIN {quote(ParticipantFirstMonth._meta.db_table)} first "
                "ON first.participant_id = served.participant_id "
                f"WHERE first.first_month > %s OR (first.first_month = %s AND {earlier})"
            )
            month = periods.month_start(scope.start)
            params = [*params, month, month, scope.start_at]
        else:
            sql = f"SELECT COUNT(*) FROM ({served_sql}) served WHERE {earlier}"  # noqa: S608
            params = [*params, scope.start_at]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    @cached_property
    def median_days_in_program(self) -> float | None:
        first_ever = (
            Encounter.objects.filter(participant_id=OuterRef("participant_id"))
            .order_by("occurred_at")
            .values("occurred_at")[:1]
        )
        per_participant = (
            encounters_in(self.scope)
            .filter(participant__isnull=False)
            .values("participant_id")
            .annotate(
                in_program=ExpressionWrapper(
                    Max("occurred_at") - Subquery(first_ever), output_field=DurationField()
                )
            )
            .values("in_program")
        )
        return _days(_median_duration(per_participant, "in_program"))

    @cached_property
    def supplies(self) -> dict:
        return _supplies(self.scope).aggregate(
            syringes=Coalesce(Sum("quantity", filter=Q(item__category=Category.SYRINGES)), 0),
            test_strips=Coalesce(
                Sum("quantity", filter=Q(item__category=Category.DRUG_CHECKING)), 0
            ),
            doses_participants=Coalesce(Sum(DOSES, filter=IS_NALOXONE & ~FOR_OTHERS), 0),
            doses_for_others=Coalesce(Sum(DOSES, filter=IS_NALOXONE & FOR_OTHERS), 0),
        )

    @cached_property
    def collections(self) -> dict:
        return _collections(self.scope).aggregate(
            drop_box=Coalesce(
                Sum("syringes", filter=Q(source=SyringeCollection.Source.DROP_BOX)), 0
            ),
            cleanup=Coalesce(Sum("syringes", filter=Q(source=SyringeCollection.Source.CLEANUP)), 0),
        )

    @cached_property
    def trainings(self) -> dict:
        law = Q(kind=TrainingSession.Kind.LAW_ENFORCEMENT) | Q(
            audience=TrainingSession.Audience.LAW_ENFORCEMENT
        )
        return _training_sessions(self.scope).aggregate(
            sessions=Count("pk"),
            people=Coalesce(Sum("attendee_count"), 0),
            law_enforcement=Coalesce(Sum("attendee_count", filter=law), 0),
        )

    @cached_property
    def knowledge_gain(self) -> float | None:
        gain = Attendee.objects.filter(
            session__in=_training_sessions(self.scope),
            pre_test_score__isnull=False,
            post_test_score__isnull=False,
        ).aggregate(gain=Avg(F("post_test_score") - F("pre_test_score")))["gain"]
        return None if gain is None else round(float(gain), 1)

    @cached_property
    def training_doses(self) -> int:
        return StockMovement.objects.filter(
            training_session__isnull=False,
            training_session__in=_training_sessions(self.scope),
            kind=StockMovement.Kind.DISTRIBUTED,
            lot__item__category=Category.NALOXONE,
        ).aggregate(
            doses=Coalesce(Sum(-F("quantity") * Coalesce(F("lot__item__doses_per_unit"), 1)), 0)
        )["doses"]

    @cached_property
    def reversal_reports(self) -> int:
        return _reversal_reports(self.scope).count()

    @cached_property
    def referrals(self) -> dict:
        return _referrals(self.scope).aggregate(
            made=Count("pk"),
            linked=Count("pk", filter=Q(status__in=Referral.LINKED_STATUSES)),
        )

    @cached_property
    def median_days_to_linkage(self) -> float | None:
        durations = (
            _referrals(self.scope)
            .filter(linked_at__isnull=False)
            .annotate(
                to_linkage=ExpressionWrapper(
                    F("linked_at") - F("made_at"), output_field=DurationField()
                )
            )
            .values("to_linkage")
        )
        return _days(_median_duration(durations, "to_linkage"))


def _syringes_collected(facts: _Facts) -> int:
    return (
        facts.encounters["_collected_at_encounters"]
        + facts.collections["drop_box"]
        + facts.collections["cleanup"]
    )


def _doses(facts: _Facts) -> int:
    return (
        facts.supplies["doses_participants"]
        + facts.supplies["doses_for_others"]
        + facts.training_doses
    )


_COMPUTE: dict[str, Callable[[_Facts], Value_]] = {
    "unduplicated_participants": lambda f: f.participants,
    "new_participants": lambda f: f.new_participants,
    "encounters": lambda f: f.encounters["encounters"],
    "anonymous_encounters": lambda f: f.encounters["anonymous_encounters"],
    "median_days_in_program": lambda f: f.median_days_in_program,
    "syringes_distributed": lambda f: f.supplies["syringes"],
    "syringes_collected": _syringes_collected,
    "collection_ratio": lambda f: _ratio(_syringes_collected(f), f.supplies["syringes"]),
    "naloxone_doses": _doses,
    "naloxone_doses_participants": lambda f: f.supplies["doses_participants"],
    "naloxone_doses_for_others": lambda f: f.supplies["doses_for_others"],
    "naloxone_doses_trainings": lambda f: f.training_doses,
    "naloxone_refills": lambda f: f.encounters["naloxone_refills"],
    "reversals_reported": lambda f: f.encounters["_reversals_at_encounters"] + f.reversal_reports,
    "test_strips_distributed": lambda f: f.supplies["test_strips"],
    "secondary_distribution_people": lambda f: f.encounters["secondary_distribution_people"],
    "referrals_made": lambda f: f.referrals["made"],
    "referrals_linked": lambda f: f.referrals["linked"],
    "linkage_rate": lambda f: _ratio(f.referrals["linked"], f.referrals["made"]),
    "median_days_to_linkage": lambda f: f.median_days_to_linkage,
    "trainings": lambda f: f.trainings["sessions"],
    "people_trained": lambda f: f.trainings["people"],
    "law_enforcement_trained": lambda f: f.trainings["law_enforcement"],
    "training_knowledge_gain": lambda f: f.knowledge_gain,
    "locations_active": lambda f: f.encounters["locations_active"],
}
assert set(_COMPUTE) == set(MEASURES), "every measure has a definition and a computation"  # noqa: S101


def compute(scope: Scope, keys: Iterable[str] | None = None) -> dict[str, Value_]:
    """The scalar measures `keys` (all when None) for `scope`, in registry order of `keys`.

    Costs one aggregate query per group of facts the measures need (at most about a dozen).
    """
    keys = list(MEASURES) if keys is None else list(keys)
    unknown = set(keys) - set(MEASURES)
    if unknown:
        raise KeyError(f"Unknown measures: {', '.join(sorted(unknown))}")
    facts = _Facts(scope)
    return {key: _COMPUTE[key](facts) for key in keys}


# --- Breakdowns --------------------------------------------------------------------------------

NOT_ASKED = _("Not asked")
NO_FUNDING_SOURCE = _("No funding source")
AGE_BANDS = [(None, 17, "Under 18"), (18, 24, "18-24"), (25, 34, "25-34"), (35, 44, "35-44"),
             (45, 54, "45-54"), (55, 64, "55-64"), (65, None, "65 and over")]  # fmt: skip


def _label(choices, value: str) -> str:
    if value == "":
        return str(NOT_ASKED)
    return str(dict(choices).get(value, value))


def _count_rows(rows: Iterable[tuple[str, int]]) -> list[tuple[str, list[Value_]]]:
    return [(label, [count]) for label, count in rows]


def _by_choice(scope: Scope, field: str, choices) -> list[tuple[str, list[Value_]]]:
    """Participants served, by the value of a single-choice profile field.

    Declined and not asked stay as rows of their own, declined last but one, not asked last.
    """
    counts = dict(participants_served(scope).values_list(field).annotate(n=Count("pk")).order_by())
    order = [value for value, _label_ in choices if value != DECLINED] + [DECLINED, ""]
    return _count_rows(
        (_label(choices, value), counts[value]) for value in order if counts.get(value)
    )


def _age_band_rows(scope: Scope) -> list[tuple[str, list[Value_]]]:
    year = scope.end.year
    whens = [When(birth_year_declined=True, then=Value(str(DECLINED))),
             When(birth_year__isnull=True, then=Value(""))]  # fmt: skip
    for low, high, label in AGE_BANDS:
        # Age at the end of the period: born in year - age.
        condition = Q()
        if low is not None:
            condition &= Q(birth_year__lte=year - low)
        if high is not None:
            condition &= Q(birth_year__gte=year - high)
        whens.append(When(condition, then=Value(label)))
    counts = dict(
        participants_served(scope)
        .annotate(band=Case(*whens, default=Value("")))
        .values_list("band")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = [(label, counts.get(label, 0)) for _low, _high, label in AGE_BANDS]
    rows = [(label, count) for label, count in rows if count]
    if counts.get(DECLINED):
        rows.append((str(DECLINED_LABEL), counts[DECLINED]))
    if counts.get(""):
        rows.append((str(NOT_ASKED), counts[""]))
    return _count_rows(rows)


def _zip3_rows(scope: Scope) -> list[tuple[str, list[Value_]]]:
    counts = dict(
        participants_served(scope)
        .annotate(
            area=Case(
                When(zip3_declined=True, then=Value(DECLINED)),
                default=F("zip3"),
            )
        )
        .values_list("area")
        .annotate(n=Count("pk"))
        .order_by()
    )
    areas = sorted(value for value in counts if value not in (DECLINED, ""))
    rows = [(area, counts[area]) for area in areas]
    if counts.get(DECLINED):
        rows.append((str(DECLINED_LABEL), counts[DECLINED]))
    if counts.get(""):
        rows.append((str(NOT_ASKED), counts[""]))
    return _count_rows(rows)


def _characteristic_rows(scope: Scope, question: str, choices) -> list[tuple[str, list[Value_]]]:
    """Participants served with each answer to a many-valued question, and those not asked."""
    served = participants_served(scope)
    counts = dict(
        Characteristic.objects.filter(question=question, participant__in=served)
        .values_list("value")
        .annotate(n=Count("participant_id", distinct=True))
        .order_by()
    )
    answered = Characteristic.objects.filter(participant=OuterRef("pk"), question=question)
    not_asked = served.exclude(Exists(answered)).count()
    order = [value for value, _label_ in choices if value != DECLINED] + [DECLINED]
    rows = [(_label(choices, value), counts[value]) for value in order if counts.get(value)]
    if not_asked:
        rows.append((str(NOT_ASKED), not_asked))
    return _count_rows(rows)


def _encounters_by_site(scope: Scope) -> list[tuple[str, list[Value_]]]:
    return [
        (location.name, [numbers["encounters"], numbers["unduplicated_participants"]])
        for location, numbers in by_location(scope, ["encounters", "unduplicated_participants"])
    ]


def _encounters_by_kind(scope: Scope) -> list[tuple[str, list[Value_]]]:
    if summaries_on():
        rows = _encounter_totals(scope).values_list("kind").annotate(n=Sum("encounters"))
    else:
        rows = encounters_in(scope).values_list("kind").annotate(n=Count("pk"))
    counts = dict(rows.order_by())
    return _count_rows(
        (label, counts[value]) for value, label in Encounter.Kind.choices if counts.get(value)
    )


def _supplies_by_category(scope: Scope) -> list[tuple[str, list[Value_]]]:
    counts = dict(
        _supplies(scope).values_list("item__category").annotate(units=Sum("quantity")).order_by()
    )
    return _count_rows(
        (label, counts[value]) for value, label in Category.choices if counts.get(value)
    )


def _supplies_by_funding_source(scope: Scope) -> tuple[list[str], list[tuple[str, list[Value_]]]]:
    """Units handed out at encounters and trainings of the period, by the funding source of the
    stock lot they came from (the stock ledger knows the lot) and by category.

    Two aggregate queries: encounter lines (dated by their encounter) and training kits (dated
    by their session). An undone encounter's lines are gone, so its units are not counted.
    """
    distributed = StockMovement.objects.filter(kind=StockMovement.Kind.DISTRIBUTED)
    at_encounters = distributed.filter(
        encounter_supply__in=_supply_lines(scope), program=scope.program
    )
    at_trainings = distributed.filter(
        training_session__isnull=False,
        training_session__in=_training_sessions(scope),
        program=scope.program,
    )
    cells: dict[tuple[str, str], int] = {}
    for movements in (at_encounters, at_trainings):
        for source, category, units in (
            movements.values_list("lot__funding_source__name", "lot__item__category")
            .annotate(units=Sum("quantity"))
            .order_by()
        ):
            key = (source or "", category)
            cells[key] = cells.get(key, 0) - units
    categories = [(value, label) for value, label in Category.choices
                  if any(cells.get((s, value)) for s, _c in cells)]  # fmt: skip
    sources = sorted({source for source, _category in cells}, key=lambda s: (s == "", s))
    rows = [
        (
            source or str(NO_FUNDING_SOURCE),
            [cells.get((source, value), 0) for value, _label_ in categories],
        )
        for source in sources
    ]
    return [str(label) for _value, label in categories], rows


def _naloxone_by_recipient(scope: Scope) -> list[tuple[str, list[Value_]]]:
    facts = _Facts(scope)
    return _count_rows(
        [
            (str(_("To participants")), facts.supplies["doses_participants"]),
            (str(_("For others (secondary distribution)")), facts.supplies["doses_for_others"]),
            (str(_("At trainings")), facts.training_doses),
        ]
    )


def _refill_reasons(scope: Scope) -> list[tuple[str, list[Value_]]]:
    counts = dict(
        encounters_in(scope)
        .exclude(naloxone_refill_reason="")
        .values_list("naloxone_refill_reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _count_rows(
        (label, counts[value])
        for value, label in Encounter.RefillReason.choices
        if counts.get(value)
    )


def _syringes_by_source(scope: Scope) -> list[tuple[str, list[Value_]]]:
    facts = _Facts(scope)
    return _count_rows(
        [
            (str(_("At encounters")), facts.encounters["_collected_at_encounters"]),
            (str(SyringeCollection.Source.DROP_BOX.label), facts.collections["drop_box"]),
            (str(SyringeCollection.Source.CLEANUP.label), facts.collections["cleanup"]),
        ]
    )


def _referrals_by_kind_status(scope: Scope) -> tuple[list[str], list[tuple[str, list[Value_]]]]:
    cells = {
        (kind, status): n
        for kind, status, n in _referrals(scope)
        .values_list("kind", "status")
        .annotate(n=Count("pk"))
        .order_by()
    }
    statuses = Referral.Status.choices
    rows = [
        (str(label), [cells.get((kind, status), 0) for status, _s in statuses])
        for kind, label in ReferralKind.choices
        if any(cells.get((kind, status)) for status, _s in statuses)
    ]
    return [str(label) for _status, label in statuses], rows


def _trainings_by(scope: Scope, field: str, choices) -> list[tuple[str, list[Value_]]]:
    cells = {
        value: [sessions, people]
        for value, sessions, people in _training_sessions(scope)
        .values_list(field)
        .annotate(sessions=Count("pk"), people=Sum("attendee_count"))
        .order_by()
    }
    return [(str(label), cells[value]) for value, label in choices if value in cells]


def breakdown(scope: Scope, key: str) -> Table:
    """The table `key` of BREAKDOWNS for the scope (one or two aggregate queries)."""
    definition = BREAKDOWNS[key]
    participants_column = [str(_("Participants"))]
    row_header, columns, people_columns = str(_("Category")), participants_column, None
    P = Participant
    C = Characteristic
    if key == "encounters_by_site":
        row_header = str(_("Location"))
        columns = [str(_("Encounters")), str(_("Participants"))]
        people_columns = (1,)
        rows = _encounters_by_site(scope)
    elif key == "encounters_by_kind":
        row_header, columns = str(_("Kind")), [str(_("Encounters"))]
        rows = _encounters_by_kind(scope)
    elif key == "age_band":
        row_header, rows = str(_("Age")), _age_band_rows(scope)
    elif key == "gender":
        row_header = str(_("Gender identity"))
        rows = _by_choice(scope, "gender_identity", P.GenderIdentity.choices)
    elif key == "race_ethnicity":
        row_header = str(_("Race and ethnicity"))
        rows = _by_choice(scope, "race_ethnicity", P.RaceEthnicity.choices)
    elif key == "zip3":
        row_header, rows = str(_("ZIP code area")), _zip3_rows(scope)
    elif key == "populations":
        row_header = str(_("Population"))
        rows = _characteristic_rows(scope, C.Question.POPULATION, C.Population.choices)
    elif key == "substances":
        row_header = str(_("Substance"))
        rows = _characteristic_rows(scope, C.Question.SUBSTANCE, C.Substance.choices)
    elif key == "supplies_by_category":
        row_header, columns = str(_("Category")), [str(_("Units"))]
        rows = _supplies_by_category(scope)
    elif key == "supplies_by_funding_source":
        row_header = str(_("Funding source"))
        columns, rows = _supplies_by_funding_source(scope)
    elif key == "naloxone_doses_by_recipient":
        row_header, columns = str(_("Recipient")), [str(_("Doses"))]
        rows = _naloxone_by_recipient(scope)
    elif key == "refill_reasons":
        row_header, columns = str(_("Reason")), [str(_("Refills"))]
        rows = _refill_reasons(scope)
    elif key == "syringes_collected_by_source":
        row_header, columns = str(_("Source")), [str(_("Syringes"))]
        rows = _syringes_by_source(scope)
    elif key == "referrals_by_kind_status":
        row_header = str(_("Kind"))
        columns, rows = _referrals_by_kind_status(scope)
    elif key == "trainings_by_audience":
        row_header = str(_("Audience"))
        columns = [str(_("Sessions")), str(_("People trained"))]
        people_columns = (1,)
        rows = _trainings_by(scope, "audience", TrainingSession.Audience.choices)
    elif key == "trainings_by_kind":
        row_header = str(_("Kind of training"))
        columns = [str(_("Sessions")), str(_("People trained"))]
        people_columns = (1,)
        rows = _trainings_by(scope, "kind", TrainingSession.Kind.choices)
    else:  # pragma: no cover - BREAKDOWNS and this switch list the same keys
        raise KeyError(key)
    return Table(
        key=key,
        title=str(definition.label),
        definition=str(definition.definition),
        counts_people=definition.counts_people,
        row_header=row_header,
        columns=columns,
        rows=rows,
        people_columns=people_columns,
    )


# --- Trends and sites: the same counts grouped by week, month or location -----------------------

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
    *(key for key in _ENCOUNTER_SUMS if not key.startswith("_")),
    *(key for key in _SUPPLY_SUMS if not key.startswith("_")),
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
    totals = summaries_on()

    def collect(queryset, source: str, expressions: dict) -> None:
        if not expressions:
            return
        rows = (
            queryset.annotate(group=grouping.group_by(source))
            .values("group")
            .annotate(
                **{
                    ALIAS + name: Coalesce(expression, 0)
                    for name, expression in expressions.items()
                }
            )
            .order_by()
        )
        for row in rows:
            group = row.pop("group")
            if group is not None:
                found.setdefault(grouping.normalise(group), {}).update(_unaliased(row))

    encounter_sums = {
        name: make[1 if totals else 0]() for name, make in _ENCOUNTER_SUMS.items() if name in parts
    }
    if totals:
        collect(_encounter_totals(scope), "encounter_totals", encounter_sums)
        encounter_sums = {}
    if "unduplicated_participants" not in parts:
        pass
    elif grouping.distinct_by and totals:
        for group, people in _count_distinct_by(scope, grouping.distinct_by).items():
            if group is not None:
                found.setdefault(group, {})["unduplicated_participants"] = people
    elif grouping.whole_months and _by_participant_months(scope):
        collect(
            _participant_months(scope),
            "participant_months",
            {"unduplicated_participants": Count("participant_id", distinct=True)},
        )
    else:
        encounter_sums["unduplicated_participants"] = Count("participant_id", distinct=True)
    collect(encounters_in(scope), "encounters", encounter_sums)
    collect(
        _supplies(scope),
        "supply_totals" if totals else "supplies",
        {name: make() for name, make in _SUPPLY_SUMS.items() if name in parts},
    )
    if "_collected_apart" in parts:
        collect(_collections(scope), "collections", {"_collected_apart": Sum("syringes")})
    if "_doses_at_trainings" in parts:
        collect(
            StockMovement.objects.filter(
                training_session__isnull=False,
                training_session__in=_training_sessions(scope),
                kind=StockMovement.Kind.DISTRIBUTED,
                lot__item__category=Category.NALOXONE,
            ),
            "trainings",
            {
                "_doses_at_trainings": Sum(
                    -F("quantity") * Coalesce(F("lot__item__doses_per_unit"), 1)
                )
            },
        )
    return {group: _finish(values, keys) for group, values in found.items()}


def _finish(parts: dict, keys: list[str]) -> dict[str, Value_]:
    def part(name):
        return parts.get(name, 0)

    collected = part("_collected_at_encounters") + part("_collected_apart")
    derived = {
        "syringes_collected": collected,
        "naloxone_doses": part("_doses_at_encounters") + part("_doses_at_trainings"),
        "collection_ratio": _ratio(collected, part("syringes_distributed")),
    }
    return {key: derived[key] if key in derived else part(key) for key in keys}


def _as_day(value) -> date:
    return value.date() if isinstance(value, datetime) else value


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
    # People by month when the scope begins or ends inside a month: whole months from the
    # participant months in one query, each partial month at an edge on its own.
    inner = _inner_months(scope) if grain == "month" and summaries_on() else None
    people_apart = (
        "unduplicated_participants" in grouped_keys
        and grain == "month"
        and summaries_on()
        and not _by_participant_months(scope)
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
    for start, end in periods.buckets(scope.start, scope.end, grain):
        numbers = grouped.get(start) or _finish({}, grouped_keys)
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
    locations = Location.objects.filter(program=scope.program, pk__in=list(grouped)).order_by(
        "name"
    )
    result = []
    for location in locations:
        numbers = grouped[location.pk]
        if other_keys:
            numbers = {**numbers, **compute(replace(scope, location=location), other_keys)}
        result.append((location, {key: numbers[key] for key in keys}))
    return result
