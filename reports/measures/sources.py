"""What the measures read: the rows of a scope, as querysets of the tables of other apps and of
the summary tables that PostgreSQL triggers keep (their SQL: participants migration 0003).

The one module of reports.measures that imports other apps' model classes: the others take
the models they name from here, so a model that moves to another app changes one import.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DurationField,
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
from django.db.models.functions import Cast, Coalesce, Concat, Lower, Trim

from accounts.models import Location, Program
from cards.models import CardVerification, ParticipantCard
from community_log.models import (
    STATE_REPORT_DEADLINE,
    Complaint,
    FoundSyringeReport,
    PoliceInteraction,
    StickInjury,
)
from core.translated_names import localized_name_order
from encounters.models import (
    DailyEncounterTotals,
    DailySupplyCategoryTotals,
    DailySupplyTotals,
    Encounter,
    EncounterSupply,
    ParticipantFirstMonth,
    ParticipantMonth,
    ParticipantYear,
    SeenParticipants,  # noqa: F401 - read by reports.measures.people
)
from participants.models import Characteristic, Participant
from referrals.models import DailyReferralTotals, Referral
from reports import periods
from reports.measures.scope import Scope
from supplies.models import (
    Item,
    OverdoseReversal,
    SharpsDisposal,
    StockMovement,
    SyringeCollection,
)
from training.models import Attendee, TrainingSession

Category = Item.Category
TestStripKind = Item.TestStripKind


def summaries_on() -> bool:
    """Whether encounter and supply sums come from the daily totals the PostgreSQL triggers
    keep (their SQL: participants migration 0003). Elsewhere, and with REPORTS_SUMMARY_TABLES =
    False, they are read from the encounters themselves, with the same results."""
    return connection.vendor == "postgresql" and getattr(settings, "REPORTS_SUMMARY_TABLES", True)


# --- Encounters and their supply lines ---------------------------------------------------------


def encounters_in(scope: Scope) -> QuerySet[Encounter]:
    """The encounters a scope covers; a voided one covers nothing."""
    encounters = Encounter.objects.filter(
        program=scope.program,
        occurred_at__gte=scope.start_at,
        occurred_at__lt=scope.end_at,
        voided_at__isnull=True,
    )
    if scope.location is not None:
        encounters = encounters.filter(location=scope.location)
    if scope.kind:
        encounters = encounters.filter(kind=scope.kind)
    return encounters


def supply_lines(scope: Scope) -> QuerySet[EncounterSupply]:
    lines = EncounterSupply.objects.filter(
        encounter__program=scope.program,
        encounter__occurred_at__gte=scope.start_at,
        encounter__occurred_at__lt=scope.end_at,
        encounter__voided_at__isnull=True,
    )
    if scope.location is not None:
        lines = lines.filter(encounter__location=scope.location)
    if scope.kind:
        lines = lines.filter(encounter__kind=scope.kind)
    return lines


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


def encounter_totals(scope: Scope) -> QuerySet[DailyEncounterTotals]:
    return _summary_rows(DailyEncounterTotals, scope, period_field="day")


def supplies(scope: Scope) -> QuerySet:
    """Supply quantities of the scope: daily totals or encounter lines, both with `item`,
    `quantity` and `for_others` to filter and sum on."""
    if summaries_on():
        return _summary_rows(DailySupplyTotals, scope, period_field="day")
    return supply_lines(scope).annotate(
        for_others=ExpressionWrapper(
            Q(encounter__secondary_distribution_for__gt=0), output_field=BooleanField()
        )
    )


def supply_category_totals(scope: Scope) -> QuerySet[DailySupplyCategoryTotals]:
    """Daily supply sums by what the dashboard counts (summaries on only): a column each for
    syringes, test strips (all, fentanyl, xylazine), educational materials, naloxone doses."""
    return _summary_rows(DailySupplyCategoryTotals, scope, period_field="day")


def days_in_program(scope: Scope) -> QuerySet:
    """For each participant served: `in_program`, from their first encounter ever to their last
    encounter in the scope (a values() queryset)."""
    first_ever = (
        Encounter.objects.filter(participant_id=OuterRef("participant_id"), voided_at__isnull=True)
        .order_by("occurred_at")
        .values("occurred_at")[:1]
    )
    return (
        encounters_in(scope)
        .filter(participant__isnull=False)
        .values("participant_id")
        .annotate(
            in_program=ExpressionWrapper(
                Max("occurred_at") - Subquery(first_ever), output_field=DurationField()
            )
        )
        .values("in_program")
    )


DOSES = Coalesce(F("item__doses_per_unit"), 1) * F("quantity")
IS_NALOXONE = Q(item__category=Category.NALOXONE)
IS_TEST_STRIP = Q(item__category=Category.DRUG_CHECKING)
FOR_OTHERS = Q(for_others=True)

# Aliases apart from the totals' own column names, which an alias may not shadow.
ALIAS = "value__"


def unaliased(row: dict) -> dict:
    return {key.removeprefix(ALIAS): value for key, value in row.items()}


# Sums over the encounters of a scope: (read from encounters, read from the daily totals).
ENCOUNTER_SUMS = {
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
SUPPLY_SUMS = {
    "syringes_distributed": lambda: Sum("quantity", filter=Q(item__category=Category.SYRINGES)),
    "test_strips_distributed": lambda: Sum(
        "quantity", filter=Q(item__category=Category.DRUG_CHECKING)
    ),
    "fentanyl_test_strips_distributed": lambda: Sum(
        "quantity", filter=IS_TEST_STRIP & Q(item__test_strip_kind=TestStripKind.FENTANYL)
    ),
    "xylazine_test_strips_distributed": lambda: Sum(
        "quantity", filter=IS_TEST_STRIP & Q(item__test_strip_kind=TestStripKind.XYLAZINE)
    ),
    "_doses_at_encounters": lambda: Sum(DOSES, filter=IS_NALOXONE),
}

# The same sums from the daily totals by category (supply_category_totals).
CATEGORY_SUMS = {
    "syringes_distributed": lambda: Sum("syringes"),
    "test_strips_distributed": lambda: Sum("test_strips"),
    "fentanyl_test_strips_distributed": lambda: Sum("fentanyl_test_strips"),
    "xylazine_test_strips_distributed": lambda: Sum("xylazine_test_strips"),
    "_doses_at_encounters": lambda: Sum("naloxone_doses"),
}
assert set(CATEGORY_SUMS) == set(SUPPLY_SUMS), "the totals by category give every supply sum"  # noqa: S101


# --- Participants served -----------------------------------------------------------------------


def participant_months(scope: Scope) -> QuerySet[ParticipantMonth]:
    return _summary_rows(ParticipantMonth, scope, period_field="month")


def reads_participant_months(scope: Scope) -> bool:
    """Whole months on PostgreSQL: distinct participants come from ParticipantMonth alone."""
    return summaries_on() and periods.whole_months(scope.start, scope.end) > 0


def _seen(scope: Scope, *fields: str) -> QuerySet:
    """The distinct values(*fields) of participants seen in the scope: on PostgreSQL the
    participant years of its whole years, the participant months of its other whole months and
    the encounters of the days at its edges, united; elsewhere all its encounters."""
    if summaries_on():
        years, months, edges = (
            [scope.with_period(start, end) for start, end in pieces]
            for pieces in periods.split_into_whole_years_and_months(scope.start, scope.end)
        )
    else:
        years, months, edges = [], [], [scope]
    parts = (
        [_summary_rows(ParticipantYear, piece, period_field="year") for piece in years]
        + [participant_months(piece) for piece in months]
        + [encounters_in(edge).filter(participant__isnull=False) for edge in edges]
    )
    parts = [part.values(*fields).order_by() for part in parts]
    if len(parts) == 1:
        return parts[0].distinct()
    return parts[0].union(*parts[1:])  # UNION, not UNION ALL: each value once


def served_ids(scope: Scope) -> QuerySet:
    """The distinct ids of participants served: a values() queryset of `participant_id`."""
    return _seen(scope, "participant_id")


def count_distinct_by(scope: Scope, field: str) -> dict:
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
    return Participant.objects.filter(pk__in=served_ids(scope))


def count_new_participants(scope: Scope) -> int:
    """Served participants with nothing before the period. Whole months: their first month
    (kept by the triggers) is in the period. Otherwise one anti-join per participant."""
    if reads_participant_months(scope):
        firsts = ParticipantFirstMonth.objects.filter(
            program=scope.program, first_month__gte=scope.start, first_month__lte=scope.end
        )
        if scope.location is not None or scope.kind:
            firsts = firsts.filter(participant_id__in=served_ids(scope))
        return firsts.count()
    served_sql, params = served_ids(scope).query.sql_with_params()
    quote = connection.ops.quote_name
    earlier = (
        f"NOT EXISTS (SELECT 1 FROM {quote(Encounter._meta.db_table)} earlier "  # noqa: S608
        "WHERE earlier.participant_id = served.participant_id AND earlier.voided_at IS NULL "
        "AND earlier.occurred_at < %s)"
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


def characteristics(question: str) -> QuerySet[Characteristic]:
    """Participants' answers to a many-valued profile question."""
    return Characteristic.objects.filter(question=question)


# --- Collections, trainings, reversal reports, referrals ---------------------------------------


def collections(scope: Scope) -> QuerySet[SyringeCollection]:
    if scope.kind:
        return SyringeCollection.objects.none()
    found = SyringeCollection.objects.filter(
        program=scope.program, collected_on__gte=scope.start, collected_on__lte=scope.end
    )
    if scope.location is not None:
        found = found.filter(location=scope.location)
    return found


def sharps_disposals(scope: Scope) -> QuerySet[SharpsDisposal]:
    if scope.kind:
        return SharpsDisposal.objects.none()
    found = SharpsDisposal.objects.filter(
        program=scope.program, disposed_on__gte=scope.start, disposed_on__lte=scope.end
    )
    if scope.location is not None:
        found = found.filter(location=scope.location)
    return found


def naloxone_lines(scope: Scope) -> QuerySet[EncounterSupply]:
    """Naloxone handed out at the encounters of a scope, one row per supply line."""
    return supply_lines(scope).filter(IS_NALOXONE)


# Who an attendee record is: the participant, else the name and agency (case and spaces
# ignored), else the record itself (an attendee nobody named counts once).
ATTENDEE_IDENTITY = Case(
    When(
        participant_id__isnull=False,
        then=Concat(Value("p"), Cast("participant_id", CharField())),
    ),
    When(
        ~Q(name=""),
        then=Concat(Value("n"), Lower(Trim("name")), Value("|"), Lower(Trim("agency"))),
    ),
    default=Concat(Value("a"), Cast("pk", CharField())),
    output_field=CharField(),
)


def attendees(scope: Scope) -> QuerySet[Attendee]:
    """Attendee records of the scope's trainings."""
    return Attendee.objects.filter(session__in=training_sessions(scope))


def training_sessions(scope: Scope) -> QuerySet[TrainingSession]:
    if scope.kind:
        return TrainingSession.objects.none()
    sessions = TrainingSession.objects.filter(
        program=scope.program, held_on__gte=scope.start, held_on__lte=scope.end
    )
    if scope.location is not None:
        sessions = sessions.filter(location=scope.location)
    return sessions


def tested_attendees(scope: Scope) -> QuerySet[Attendee]:
    """Attendees of the scope's trainings with a pre-test and a post-test score."""
    return Attendee.objects.filter(
        session__in=training_sessions(scope),
        pre_test_score__isnull=False,
        post_test_score__isnull=False,
    )


def reversal_reports(scope: Scope) -> QuerySet[OverdoseReversal]:
    """Reports of reversals not already counted by an encounter: one told at an encounter is
    in that encounter's count (unless it was voided)."""
    # Reports carry a coarse area, not a location, so a location or kind leaves them out.
    if scope.kind or scope.location is not None:
        return OverdoseReversal.objects.none()
    return OverdoseReversal.objects.filter(
        Q(encounter__isnull=True) | Q(encounter__voided_at__isnull=False),
        program=scope.program,
        reported_on__gte=scope.start,
        reported_on__lte=scope.end,
    )


def referral_totals(scope: Scope) -> QuerySet[DailyReferralTotals]:
    """Daily referral counts of the scope (kept by triggers: referrals migration 0007), with
    `made` and `linked` to sum; the same numbers as counting referrals(scope)."""
    rows = DailyReferralTotals.objects.filter(
        program=scope.program, day__gte=scope.start, day__lte=scope.end
    )
    if scope.location is not None:
        rows = rows.filter(location=scope.location)
    if scope.kind:
        rows = rows.filter(kind=scope.kind)
    return rows


def referrals(scope: Scope) -> QuerySet[Referral]:
    """Referrals made in the scope; those made at a voided encounter count nowhere."""
    found = Referral.objects.filter(
        program=scope.program,
        made_at__gte=scope.start_at,
        made_at__lt=scope.end_at,
        encounter__voided_at__isnull=True,
    )
    if scope.location is not None:
        found = found.filter(encounter__location=scope.location)
    if scope.kind:
        found = found.filter(encounter__kind=scope.kind)
    return found


# --- The stock ledger --------------------------------------------------------------------------

# Doses a distributed stock movement took out of stock (its quantity is negative).
DOSES_FROM_STOCK = -F("quantity") * Coalesce(F("lot__item__doses_per_unit"), 1)


def _distributed() -> QuerySet[StockMovement]:
    return StockMovement.objects.filter(kind=StockMovement.Kind.DISTRIBUTED)


def stock_distributed_at_encounters(scope: Scope) -> QuerySet[StockMovement]:
    return _distributed().filter(encounter_supply__in=supply_lines(scope), program=scope.program)


def stock_distributed_at_trainings(scope: Scope) -> QuerySet[StockMovement]:
    return _distributed().filter(
        training_session__isnull=False,
        training_session__in=training_sessions(scope),
        program=scope.program,
    )


def naloxone_received(scope: Scope) -> QuerySet[StockMovement]:
    """Naloxone deliveries into stock in the scope (transfers and adjustments are not
    deliveries); a kind leaves them out, a location keeps those received there."""
    if scope.kind:
        return StockMovement.objects.none()
    found = StockMovement.objects.filter(
        program=scope.program,
        kind=StockMovement.Kind.RECEIVED,
        lot__item__category=Category.NALOXONE,
        at__gte=scope.start_at,
        at__lt=scope.end_at,
    )
    if scope.location is not None:
        found = found.filter(location=scope.location)
    return found


# Doses a stock receipt added (its quantity is positive).
DOSES_RECEIVED = F("quantity") * Coalesce(F("lot__item__doses_per_unit"), 1)


def naloxone_given_at_trainings(scope: Scope) -> QuerySet[StockMovement]:
    return _distributed().filter(
        training_session__isnull=False,
        training_session__in=training_sessions(scope),
        lot__item__category=Category.NALOXONE,
    )


def locations_by_name(program: Program, ids: Iterable[int]) -> QuerySet[Location]:
    """By the name in the active language, which the report shows."""
    return Location.objects.filter(program=program, pk__in=list(ids)).order_by(
        localized_name_order()
    )


# --- Cards and the community-relations log -------------------------------------------------------
# None of these has a location or an encounter kind: a location or kind leaves them out.


def _program_days(model, scope: Scope, day_field: str) -> QuerySet:
    if scope.kind or scope.location is not None:
        return model.objects.none()
    return model.objects.filter(
        program=scope.program, **{f"{day_field}__gte": scope.start, f"{day_field}__lte": scope.end}
    )


def cards_issued(scope: Scope) -> QuerySet[ParticipantCard]:
    return _program_days(ParticipantCard, scope, "issued_on")


def card_verifications(scope: Scope) -> QuerySet[CardVerification]:
    return _program_days(CardVerification, scope, "checked_on")


def complaints(scope: Scope) -> QuerySet[Complaint]:
    if scope.kind or scope.location is not None:
        return Complaint.objects.none()
    return Complaint.objects.filter(
        program=scope.program, received_at__gte=scope.start_at, received_at__lt=scope.end_at
    )


# Complaints reported to the state within their 72 hours.
REPORTED_IN_TIME = Q(
    reported_to_state_at__isnull=False,
    reported_to_state_at__lte=F("received_at") + STATE_REPORT_DEADLINE,
)


def stick_injuries(scope: Scope) -> QuerySet[StickInjury]:
    return _program_days(StickInjury, scope, "occurred_on")


def found_syringe_reports(scope: Scope) -> QuerySet[FoundSyringeReport]:
    return _program_days(FoundSyringeReport, scope, "reported_on")


def police_interactions(scope: Scope) -> QuerySet[PoliceInteraction]:
    return _program_days(PoliceInteraction, scope, "occurred_on")
