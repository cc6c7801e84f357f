"""Breakdowns: `breakdown()` gives any of BREAKDOWNS for a scope, as a table of counts by some
category (one or two aggregate queries)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

from django.db import connection
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Sum, Value, When
from django.utils.translation import gettext_lazy as _

from participants.models import DECLINED, DECLINED_LABEL
from referrals.models import ReferralKind
from reports.measures import people, sources
from reports.measures.registry import BREAKDOWNS, Table, Value_
from reports.measures.scalars import Facts
from reports.measures.scope import Scope
from reports.measures.sources import (
    DOSES_RECEIVED,
    IS_TEST_STRIP,
    Category,
    Characteristic,
    Encounter,
    Participant,
    Referral,
    SyringeCollection,
    TestStripKind,
    TrainingSession,
)
from reports.measures.trends import by_location

NOT_ASKED = _("Not asked")
NO_FUNDING_SOURCE = _("No funding source")
NO_SUPPLIER = _("supplier not recorded")
AGE_BANDS = [(None, 17, "Under 18"), (18, 24, "18-24"), (25, 34, "25-34"), (35, 44, "35-44"),
             (45, 54, "45-54"), (55, 64, "55-64"), (65, None, "65 and over")]  # fmt: skip


def choice_label(choices, value: str) -> str:
    if value == "":
        return str(NOT_ASKED)
    return str(dict(choices).get(value, value))


def _count_rows(rows: Iterable[tuple[str, int]]) -> list[tuple[str, list[Value_]]]:
    return [(label, [count]) for label, count in rows]


def _by_choice(scope: Scope, field: str, choices, served: Served) -> list[tuple[str, list[Value_]]]:
    """Participants served, by the value of a single-choice profile field.

    Declined and not asked stay as rows of their own, declined last but one, not asked last.
    """
    counts = served.profile.get(field)
    if counts is None:
        counts = dict(
            sources.participants_served(scope).values_list(field).annotate(n=Count("pk")).order_by()
        )
    order = [value for value, _label_ in choices if value != DECLINED] + [DECLINED, ""]
    return _count_rows(
        (choice_label(choices, value), counts[value]) for value in order if counts.get(value)
    )


def _age_band(scope: Scope) -> Case:
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
    return Case(*whens, default=Value(""))


ZIP_AREA = Case(When(zip3_declined=True, then=Value(DECLINED)), default=F("zip3"))


class Served:
    """What several breakdowns of one scope share: the ids of the participants served (from
    the sets, where they are on) and, read in one query for all of them, the counts of those
    participants by gender, race and ethnicity, ZIP area and age band."""

    PROFILE = ("gender_identity", "race_ethnicity", "area", "band")

    def __init__(self, scope: Scope):
        self.scope = scope

    @cached_property
    def ids(self):
        return people.served_ids(self.scope)

    @cached_property
    def profile(self) -> dict[str, dict]:
        """field -> {value: participants}; empty where the sets are off (then each breakdown
        counts by SQL on its own)."""
        if self.ids is None:
            return {}
        table = Participant._meta.db_table
        inner = (
            Participant.objects.filter(people.among(f'"{table}"."id"', self.ids))
            .annotate(area=ZIP_AREA, band=_age_band(self.scope))
            .values(*self.PROFILE)
        )
        sql, params = inner.query.sql_with_params()
        columns = ", ".join(self.PROFILE)
        sets = ", ".join(f"({column})" for column in self.PROFILE)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns}, GROUPING({columns}), COUNT(*) FROM ({sql}) served "  # noqa: S608
                f"GROUP BY GROUPING SETS ({sets})",
                params,
            )
            rows = cursor.fetchall()
        found: dict[str, dict] = {field: {} for field in self.PROFILE}
        last = len(self.PROFILE) - 1
        for *values, grouping, count in rows:
            # GROUPING() sets a bit for each column aggregated away, the first column highest:
            # the one column whose bit is clear is the one this row counts by.
            for index, field in enumerate(self.PROFILE):
                if not grouping & (1 << (last - index)):
                    found[field][values[index]] = count
        return found


def _age_band_rows(scope: Scope, served: Served) -> list[tuple[str, list[Value_]]]:
    counts = served.profile.get("band")
    if counts is None:
        counts = dict(
            sources.participants_served(scope)
            .annotate(band=_age_band(scope))
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


def _zip3_rows(scope: Scope, served: Served) -> list[tuple[str, list[Value_]]]:
    counts = served.profile.get("area")
    if counts is None:
        counts = dict(
            sources.participants_served(scope)
            .annotate(area=ZIP_AREA)
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


def _characteristic_rows(
    scope: Scope, question: str, choices, served: Served
) -> list[tuple[str, list[Value_]]]:
    """Participants served with each answer to a many-valued question, and those not asked."""
    if served.ids is None:
        participants = sources.participants_served(scope)
        answers = sources.characteristics(question).filter(participant__in=participants)
        answered = sources.characteristics(question).filter(participant=OuterRef("pk"))
        not_asked = participants.exclude(Exists(answered)).count()
        counts = dict(
            answers.values_list("value")
            .annotate(n=Count("participant_id", distinct=True))
            .order_by()
        )
    else:
        # One scan: people by answer, and (the empty grouping set) people with any answer.
        table = sources.Characteristic._meta.db_table
        sql, params = (
            sources.characteristics(question)
            .filter(people.among(f'"{table}"."participant_id"', served.ids))
            .values("value", "participant_id")
            .query.sql_with_params()
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT value, GROUPING(value), COUNT(DISTINCT participant_id) "  # noqa: S608
                f"FROM ({sql}) answers GROUP BY GROUPING SETS ((value), ())",
                params,
            )
            rows = cursor.fetchall()
        counts = {value: n for value, grouped, n in rows if not grouped}
        answered_any = sum(n for _value, grouped, n in rows if grouped)
        not_asked = len(served.ids) - answered_any
    order = [value for value, _label_ in choices if value != DECLINED] + [DECLINED]
    rows = [(choice_label(choices, value), counts[value]) for value in order if counts.get(value)]
    if not_asked:
        rows.append((str(NOT_ASKED), not_asked))
    return _count_rows(rows)


def _encounters_by_site(scope: Scope) -> list[tuple[str, list[Value_]]]:
    return [
        (location.localized_name, [numbers["encounters"], numbers["unduplicated_participants"]])
        for location, numbers in by_location(scope, ["encounters", "unduplicated_participants"])
    ]


def _encounters_by_kind(scope: Scope) -> list[tuple[str, list[Value_]]]:
    if sources.summaries_on():
        rows = sources.encounter_totals(scope).values_list("kind").annotate(n=Sum("encounters"))
    else:
        rows = sources.encounters_in(scope).values_list("kind").annotate(n=Count("pk"))
    counts = dict(rows.order_by())
    return _count_rows(
        (label, counts[value]) for value, label in Encounter.Kind.choices if counts.get(value)
    )


def _supplies_by_category(scope: Scope) -> list[tuple[str, list[Value_]]]:
    counts = dict(
        sources.supplies(scope)
        .values_list("item__category")
        .annotate(units=Sum("quantity"))
        .order_by()
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
    at_encounters = sources.stock_distributed_at_encounters(scope)
    at_trainings = sources.stock_distributed_at_trainings(scope)
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
    funding_sources = sorted({source for source, _category in cells}, key=lambda s: (s == "", s))
    rows = [
        (
            source or str(NO_FUNDING_SOURCE),
            [cells.get((source, value), 0) for value, _label_ in categories],
        )
        for source in funding_sources
    ]
    return [str(label) for _value, label in categories], rows


def _test_strips_by_kind(scope: Scope) -> list[tuple[str, list[Value_]]]:
    counts = dict(
        sources.supplies(scope)
        .filter(IS_TEST_STRIP)
        .values_list("item__test_strip_kind")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    # An item whose kind was never set is "other", as the migration that added kinds made it.
    counts[TestStripKind.OTHER] = counts.get(TestStripKind.OTHER, 0) + counts.pop("", 0)
    return _count_rows(
        (str(label), counts[value]) for value, label in TestStripKind.choices if counts.get(value)
    )


def _naloxone_received_by_source(scope: Scope) -> list[tuple[str, list[Value_]]]:
    rows = (
        sources.naloxone_received(scope)
        .values_list("lot__funding_source__name", "supplier")
        .annotate(doses=Sum(DOSES_RECEIVED))
        .order_by()
    )
    found = sorted(
        ((source or "", supplier.strip(), doses) for source, supplier, doses in rows),
        key=lambda row: (row[0] == "", row[0], row[1] == "", row[1]),
    )
    cells: dict[tuple[str, str], int] = {}
    for source, supplier, doses in found:
        cells[(source, supplier)] = cells.get((source, supplier), 0) + doses
    return [
        (
            str(_("%(source)s, from %(supplier)s"))
            % {
                "source": source or str(NO_FUNDING_SOURCE),
                "supplier": supplier or str(NO_SUPPLIER),
            },
            [doses],
        )
        for (source, supplier), doses in cells.items()
    ]


def _naloxone_by_recipient(scope: Scope) -> list[tuple[str, list[Value_]]]:
    facts = Facts(scope)
    return _count_rows(
        [
            (str(_("To participants")), facts.supplies["doses_participants"]),
            (str(_("For others (secondary distribution)")), facts.supplies["doses_for_others"]),
            (str(_("At trainings")), facts.training_doses),
        ]
    )


def _refill_reasons(scope: Scope) -> list[tuple[str, list[Value_]]]:
    counts = dict(
        sources.encounters_in(scope)
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
    facts = Facts(scope)
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
        for kind, status, n in sources.referrals(scope)
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
        for value, sessions, people in sources.training_sessions(scope)
        .values_list(field)
        .annotate(sessions=Count("pk"), people=Sum("attendee_count"))
        .order_by()
    }
    return [(str(label), cells[value]) for value, label in choices if value in cells]


def breakdowns(scope: Scope, keys: Iterable[str]) -> list[Table]:
    """The tables `keys` of BREAKDOWNS for the scope, in order, sharing what they can: the
    participants served are read once, and their counts by gender, race and ethnicity, ZIP
    area and age band come from one query for all four tables."""
    served = Served(scope)
    return [breakdown(scope, key, served=served) for key in keys]


def breakdown(scope: Scope, key: str, *, served: Served | None = None) -> Table:
    """The table `key` of BREAKDOWNS for the scope (one or two aggregate queries)."""
    served = served or Served(scope)
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
        row_header, rows = str(_("Age")), _age_band_rows(scope, served)
    elif key == "gender":
        row_header = str(_("Gender identity"))
        rows = _by_choice(scope, "gender_identity", P.GenderIdentity.choices, served)
    elif key == "race_ethnicity":
        row_header = str(_("Race and ethnicity"))
        rows = _by_choice(scope, "race_ethnicity", P.RaceEthnicity.choices, served)
    elif key == "zip3":
        row_header, rows = str(_("ZIP code area")), _zip3_rows(scope, served)
    elif key == "populations":
        row_header = str(_("Population"))
        rows = _characteristic_rows(scope, C.Question.POPULATION, C.Population.choices, served)
    elif key == "substances":
        row_header = str(_("Substance"))
        rows = _characteristic_rows(scope, C.Question.SUBSTANCE, C.Substance.choices, served)
    elif key == "routes_of_use":
        row_header = str(_("Route of use"))
        rows = _characteristic_rows(scope, C.Question.ROUTE, C.Route.choices, served)
    elif key == "test_strips_by_kind":
        row_header, columns = str(_("Detects")), [str(_("Test strips"))]
        rows = _test_strips_by_kind(scope)
    elif key == "naloxone_received_by_source":
        row_header = str(_("Funding source and supplier"))
        columns = [str(_("Doses received"))]
        rows = _naloxone_received_by_source(scope)
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
