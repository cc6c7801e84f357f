"""Scalar measures: `compute()` gives any of MEASURES for a scope.

Queries are shared: the encounters of a period are read once for all the measures about
encounters, the supply lines once for all the measures about supplies, and so on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import cached_property

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce

from reports.measures import people, sources
from reports.measures.registry import MEASURES, Value_
from reports.measures.scope import Scope
from reports.measures.sources import (
    DOSES,
    DOSES_FROM_STOCK,
    DOSES_RECEIVED,
    FOR_OTHERS,
    IS_NALOXONE,
    IS_TEST_STRIP,
    Category,
    Referral,
    SyringeCollection,
    TrainingSession,
)


class Median(Aggregate):
    """PostgreSQL's exact median; `median_duration()` reads the middle rows elsewhere."""

    function = "PERCENTILE_CONT"
    name = "median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


def median_duration(values: QuerySet, field: str) -> timedelta | None:
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


def in_days(duration: timedelta | None) -> float | None:
    return None if duration is None else round(duration.total_seconds() / 86400, 1)


def ratio(part: Value_, whole: Value_) -> float | None:
    return round(part / whole, 3) if whole else None


class Facts:
    """Lazily read groups of numbers about one scope; each group is one aggregate query."""

    def __init__(self, scope: Scope, keys: Iterable[str] = ()):
        self.scope = scope
        self.keys = set(keys)

    @cached_property
    def encounters(self) -> dict:
        totals = sources.summaries_on()
        sums = {
            sources.ALIAS + name: Coalesce(expressions[1 if totals else 0](), 0)
            for name, expressions in sources.ENCOUNTER_SUMS.items()
        }
        rows = sources.encounter_totals(self.scope) if totals else sources.encounters_in(self.scope)
        return sources.unaliased(rows.aggregate(**sums))

    @cached_property
    def people_sets(self):
        """(served, seen before) as bitmaps: both people counts from one look-up; who was seen
        before only when new participants are asked for."""
        if "new_participants" in self.keys or not self.keys:
            return people.served_and_seen_before(self.scope)
        return people.served_and_seen_before(self.scope, before=False)

    @cached_property
    def participants(self) -> int:
        if people.sets_on():
            return len(self.people_sets[0])
        # COUNT(*) over a DISTINCT subquery: PostgreSQL hashes it, faster than COUNT(DISTINCT).
        return sources.served_ids(self.scope).count()

    @cached_property
    def new_participants(self) -> int:
        if people.sets_on():
            served, before = self.people_sets
            return len(served - before)
        return sources.count_new_participants(self.scope)

    @cached_property
    def median_days_in_program(self) -> float | None:
        return in_days(median_duration(sources.days_in_program(self.scope), "in_program"))

    @cached_property
    def supplies(self) -> dict:
        if sources.summaries_on():
            others = Q(for_others=True)
            return sources.supply_category_totals(self.scope).aggregate(
                syringes=Coalesce(Sum("syringes"), 0),
                test_strips=Coalesce(Sum("test_strips"), 0),
                fentanyl_test_strips=Coalesce(Sum("fentanyl_test_strips"), 0),
                xylazine_test_strips=Coalesce(Sum("xylazine_test_strips"), 0),
                educational=Coalesce(Sum("educational"), 0),
                doses_participants=Coalesce(Sum("naloxone_doses", filter=~others), 0),
                doses_for_others=Coalesce(Sum("naloxone_doses", filter=others), 0),
            )
        return sources.supplies(self.scope).aggregate(
            syringes=Coalesce(Sum("quantity", filter=Q(item__category=Category.SYRINGES)), 0),
            test_strips=Coalesce(Sum("quantity", filter=IS_TEST_STRIP), 0),
            fentanyl_test_strips=Coalesce(
                sources.SUPPLY_SUMS["fentanyl_test_strips_distributed"](), 0
            ),
            xylazine_test_strips=Coalesce(
                sources.SUPPLY_SUMS["xylazine_test_strips_distributed"](), 0
            ),
            educational=Coalesce(Sum("quantity", filter=Q(item__category=Category.EDUCATIONAL)), 0),
            doses_participants=Coalesce(Sum(DOSES, filter=IS_NALOXONE & ~FOR_OTHERS), 0),
            doses_for_others=Coalesce(Sum(DOSES, filter=IS_NALOXONE & FOR_OTHERS), 0),
        )

    @cached_property
    def collections(self) -> dict:
        return sources.collections(self.scope).aggregate(
            drop_box=Coalesce(
                Sum("syringes", filter=Q(source=SyringeCollection.Source.DROP_BOX)), 0
            ),
            cleanup=Coalesce(Sum("syringes", filter=Q(source=SyringeCollection.Source.CLEANUP)), 0),
        )

    @cached_property
    def naloxone_recipients(self) -> dict:
        return sources.naloxone_lines(self.scope).aggregate(
            people=Count("encounter__participant_id", distinct=True),
            anonymous=Count(
                "encounter_id", distinct=True, filter=Q(encounter__participant__isnull=True)
            ),
        )

    @cached_property
    def naloxone_received(self) -> int:
        return sources.naloxone_received(self.scope).aggregate(
            doses=Coalesce(Sum(DOSES_RECEIVED), 0)
        )["doses"]

    @cached_property
    def syringes_disposed(self) -> int:
        return sources.sharps_disposals(self.scope).aggregate(
            syringes=Coalesce(Sum("syringes_estimated"), 0)
        )["syringes"]

    @cached_property
    def distinct_people_trained(self) -> int:
        return sources.attendees(self.scope).aggregate(
            people=Count(sources.ATTENDEE_IDENTITY, distinct=True)
        )["people"]

    @cached_property
    def trainings(self) -> dict:
        law = Q(kind=TrainingSession.Kind.LAW_ENFORCEMENT) | Q(
            audience=TrainingSession.Audience.LAW_ENFORCEMENT
        )
        return sources.training_sessions(self.scope).aggregate(
            sessions=Count("pk"),
            people=Coalesce(Sum("attendee_count"), 0),
            law_enforcement=Coalesce(Sum("attendee_count", filter=law), 0),
        )

    @cached_property
    def knowledge_gain(self) -> float | None:
        gain = sources.tested_attendees(self.scope).aggregate(
            gain=Avg(F("post_test_score") - F("pre_test_score"))
        )["gain"]
        return None if gain is None else round(float(gain), 1)

    @cached_property
    def training_doses(self) -> int:
        return sources.naloxone_given_at_trainings(self.scope).aggregate(
            doses=Coalesce(Sum(DOSES_FROM_STOCK), 0)
        )["doses"]

    @cached_property
    def reversal_reports(self) -> int:
        return sources.reversal_reports(self.scope).count()

    @cached_property
    def referrals(self) -> dict:
        if sources.summaries_on():
            return sources.referral_totals(self.scope).aggregate(
                made=Coalesce(Sum("made"), 0), linked=Coalesce(Sum("linked"), 0)
            )
        return sources.referrals(self.scope).aggregate(
            made=Count("pk"),
            linked=Count("pk", filter=Q(status__in=Referral.LINKED_STATUSES)),
        )

    @cached_property
    def complaints(self) -> dict:
        return sources.complaints(self.scope).aggregate(
            received=Count("pk"),
            in_time=Count("pk", filter=sources.REPORTED_IN_TIME),
            resolved=Count("pk", filter=Q(resolved=True)),
        )

    @cached_property
    def found_syringes(self) -> dict:
        return sources.found_syringe_reports(self.scope).aggregate(
            reports=Count("pk"), cleaned_up=Count("pk", filter=Q(cleanup__isnull=False))
        )

    @cached_property
    def police(self) -> dict:
        taken = Q(supplies_confiscated=True)
        return sources.police_interactions(self.scope).aggregate(
            interactions=Count("pk"),
            confiscations=Count("pk", filter=taken),
            despite_card=Count("pk", filter=taken & Q(card_shown=True)),
        )

    @cached_property
    def participants_referred(self) -> int:
        # Apart from the referral counts: a distinct count costs a sort they do not need.
        return sources.referrals(self.scope).aggregate(
            people=Count("participant_id", distinct=True)
        )["people"]

    @cached_property
    def median_days_to_linkage(self) -> float | None:
        durations = (
            sources.referrals(self.scope)
            # Linked now: a referral linked once and then closed otherwise keeps its linked_at.
            .filter(linked_at__isnull=False, status__in=Referral.LINKED_STATUSES)
            .annotate(
                to_linkage=ExpressionWrapper(
                    F("linked_at") - F("made_at"), output_field=DurationField()
                )
            )
            .values("to_linkage")
        )
        return in_days(median_duration(durations, "to_linkage"))


def _syringes_collected(facts: Facts) -> int:
    return (
        facts.encounters["_collected_at_encounters"]
        + facts.collections["drop_box"]
        + facts.collections["cleanup"]
    )


def _doses(facts: Facts) -> int:
    return (
        facts.supplies["doses_participants"]
        + facts.supplies["doses_for_others"]
        + facts.training_doses
    )


_COMPUTE: dict[str, Callable[[Facts], Value_]] = {
    "unduplicated_participants": lambda f: f.participants,
    "new_participants": lambda f: f.new_participants,
    "encounters": lambda f: f.encounters["encounters"],
    "anonymous_encounters": lambda f: f.encounters["anonymous_encounters"],
    "median_days_in_program": lambda f: f.median_days_in_program,
    "syringes_distributed": lambda f: f.supplies["syringes"],
    "syringes_collected": _syringes_collected,
    "syringes_disposed": lambda f: f.syringes_disposed,
    "collection_ratio": lambda f: ratio(_syringes_collected(f), f.supplies["syringes"]),
    "naloxone_doses": _doses,
    "naloxone_doses_received": lambda f: f.naloxone_received,
    "people_received_naloxone": lambda f: f.naloxone_recipients["people"],
    "naloxone_anonymous_encounters": lambda f: f.naloxone_recipients["anonymous"],
    "naloxone_doses_participants": lambda f: f.supplies["doses_participants"],
    "naloxone_doses_for_others": lambda f: f.supplies["doses_for_others"],
    "naloxone_doses_trainings": lambda f: f.training_doses,
    "naloxone_refills": lambda f: f.encounters["naloxone_refills"],
    "reversals_reported": lambda f: f.encounters["_reversals_at_encounters"] + f.reversal_reports,
    "test_strips_distributed": lambda f: f.supplies["test_strips"],
    "fentanyl_test_strips_distributed": lambda f: f.supplies["fentanyl_test_strips"],
    "xylazine_test_strips_distributed": lambda f: f.supplies["xylazine_test_strips"],
    "secondary_distribution_people": lambda f: f.encounters["secondary_distribution_people"],
    "referrals_made": lambda f: f.referrals["made"],
    "participants_referred": lambda f: f.participants_referred,
    "referrals_linked": lambda f: f.referrals["linked"],
    "linkage_rate": lambda f: ratio(f.referrals["linked"], f.referrals["made"]),
    "median_days_to_linkage": lambda f: f.median_days_to_linkage,
    "trainings": lambda f: f.trainings["sessions"],
    "people_trained": lambda f: f.trainings["people"],
    "distinct_people_trained": lambda f: f.distinct_people_trained,
    "law_enforcement_trained": lambda f: f.trainings["law_enforcement"],
    "training_knowledge_gain": lambda f: f.knowledge_gain,
    "locations_active": lambda f: f.encounters["locations_active"],
    "educational_materials_distributed": lambda f: f.supplies["educational"],
    "cards_issued": lambda f: sources.cards_issued(f.scope).count(),
    "card_verifications": lambda f: sources.card_verifications(f.scope).count(),
    "complaints_received": lambda f: f.complaints["received"],
    "complaints_reported_in_time": lambda f: f.complaints["in_time"],
    "complaints_resolved": lambda f: f.complaints["resolved"],
    "stick_injuries": lambda f: sources.stick_injuries(f.scope).count(),
    "found_syringe_reports": lambda f: f.found_syringes["reports"],
    "found_syringe_reports_cleaned_up": lambda f: f.found_syringes["cleaned_up"],
    "police_interactions": lambda f: f.police["interactions"],
    "police_confiscations": lambda f: f.police["confiscations"],
    "police_confiscations_despite_card": lambda f: f.police["despite_card"],
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
    facts = Facts(scope, keys)
    return {key: _COMPUTE[key](facts) for key in keys}
