"""Training measures for dashboards and funder reports, computed in the database.

Each function takes a program id and a period of days, `start` to `end`, both included, and
costs one aggregate query.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from supplies.models import StockMovement
from training.models import Attendee, TrainingSession

Kind = TrainingSession.Kind
Audience = TrainingSession.Audience


def _sessions(program_id: int, start: date, end: date) -> QuerySet[TrainingSession]:
    return TrainingSession.objects.filter(
        program_id=program_id, held_on__gte=start, held_on__lte=end
    )


def sessions_by_kind_and_audience(
    program_id: int, *, start: date, end: date
) -> dict[tuple[str, str], dict[str, int]]:
    """(kind, audience) -> {'sessions': n, 'attendees': people trained}."""
    rows = (
        _sessions(program_id, start, end)
        .values("kind", "audience")
        .annotate(sessions=Count("id"), attendees=Sum("attendee_count"))
        .order_by("kind", "audience")
    )
    return {
        (row["kind"], row["audience"]): {
            "sessions": row["sessions"],
            "attendees": row["attendees"],
        }
        for row in rows
    }


def law_enforcement_officers_trained(program_id: int, *, start: date, end: date) -> int:
    """People trained at law-enforcement sessions: the law training, or any kind given to
    an audience of law enforcement (a naloxone training for a police department counts)."""
    return (
        _sessions(program_id, start, end)
        .filter(Q(kind=Kind.LAW_ENFORCEMENT) | Q(audience=Audience.LAW_ENFORCEMENT))
        .aggregate(officers=Coalesce(Sum("attendee_count"), 0))["officers"]
    )


@dataclass(frozen=True)
class KnowledgeGain:
    attendees_scored: int  # attendees with both a pre-test and a post-test score
    average_pre: float | None
    average_post: float | None
    average_gain: float | None  # the average of post minus pre, in points out of 100


def knowledge_gain(program_id: int, *, start: date, end: date) -> KnowledgeGain:
    """Average test scores before and after, over attendees who took both tests."""
    result = Attendee.objects.filter(
        session__program_id=program_id,
        session__held_on__gte=start,
        session__held_on__lte=end,
        pre_test_score__isnull=False,
        post_test_score__isnull=False,
    ).aggregate(
        scored=Count("id"),
        pre=Avg("pre_test_score"),
        post=Avg("post_test_score"),
        gain=Avg(F("post_test_score") - F("pre_test_score")),
    )
    return KnowledgeGain(
        attendees_scored=result["scored"],
        average_pre=_as_float(result["pre"]),
        average_post=_as_float(result["post"]),
        average_gain=_as_float(result["gain"]),
    )


def _as_float(value) -> float | None:
    return None if value is None else float(value)


def naloxone_kits_handed_out(program_id: int, *, start: date, end: date) -> int:
    """Units given out at the program's sessions of the period, from the stock ledger."""
    return StockMovement.objects.filter(
        training_session__program_id=program_id,
        training_session__held_on__gte=start,
        training_session__held_on__lte=end,
        kind=StockMovement.Kind.DISTRIBUTED,
    ).aggregate(units=Coalesce(-Sum("quantity"), 0))["units"]
