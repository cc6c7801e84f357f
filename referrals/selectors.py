"""Reads about referrals, scoped to what the requesting user may see."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, DurationField, ExpressionWrapper, F, QuerySet

from accounts.models import User
from referrals.models import Partner, Referral


def referrals_for(user: User) -> QuerySet[Referral]:
    """Referrals of the user's program; none for funders and administrators."""
    if not user.is_authenticated or not user.is_program_staff:
        return Referral.objects.none()
    return Referral.objects.filter(program_id=user.program_id)


def partners_for(user: User) -> QuerySet[Partner]:
    if not user.is_authenticated or not user.is_program_staff:
        return Partner.objects.none()
    return Partner.objects.filter(program_id=user.program_id).prefetch_related("services")


def partner_directory(user: User, *, query: str = "", kind: str = "") -> QuerySet[Partner]:
    """Active partners matching a name and offering a kind of help."""
    partners = partners_for(user).filter(is_active=True)
    if query:
        partners = partners.filter(name__icontains=query.strip())
    if kind:
        partners = partners.filter(services__kind=kind)
    return partners.distinct()


def open_referrals(user: User, *, worker: User | None = None) -> QuerySet[Referral]:
    """Referrals still waiting for follow-up, soonest due first.

    Outreach see their own; a manager sees everyone's, or one worker's.
    """
    referrals = referrals_for(user).filter(status__in=Referral.OPEN_STATUSES)
    if user.is_authenticated and user.is_outreach:
        referrals = referrals.filter(made_by=user)
    elif worker is not None:
        referrals = referrals.filter(made_by=worker)
    return referrals.select_related("participant", "partner", "made_by").order_by(
        "follow_up_due", "made_at"
    )


def follow_ups(user: User, *, on: date, worker: User | None = None) -> QuerySet[Referral]:
    """Open referrals whose follow-up is due on or before `on`."""
    return open_referrals(user, worker=worker).filter(follow_up_due__lte=on)


@dataclass(frozen=True)
class ReferralMeasures:
    made: int
    linked: int
    by_kind_and_status: dict[tuple[str, str], int]
    median_days_to_linkage: float | None

    @property
    def linkage_rate(self) -> float | None:
        return self.linked / self.made if self.made else None


def referral_measures(program_id: int, *, start: datetime, end: datetime) -> ReferralMeasures:
    """Referrals made in [start, end): counts by kind and status, linkage rate and median days
    from made to linked. Computed in the database: three small queries."""
    referrals = Referral.objects.filter(program_id=program_id, made_at__gte=start, made_at__lt=end)
    by_kind_and_status = {
        (row["kind"], row["status"]): row["total"]
        for row in referrals.values("kind", "status").annotate(total=Count("id"))
    }
    linked = referrals.filter(linked_at__isnull=False)
    return ReferralMeasures(
        made=sum(by_kind_and_status.values()),
        linked=sum(
            total
            for (_, status), total in by_kind_and_status.items()
            if status in Referral.LINKED_STATUSES
        ),
        by_kind_and_status=by_kind_and_status,
        median_days_to_linkage=_median_days(linked),
    )


def _median_days(linked: QuerySet[Referral]) -> float | None:
    """The median of linked_at - made_at, read from the database by position (portable)."""
    count = linked.count()
    if not count:
        return None
    durations = (
        linked.annotate(
            days=ExpressionWrapper(F("linked_at") - F("made_at"), output_field=DurationField())
        )
        .order_by("days")
        .values_list("days", flat=True)
    )
    middle = list(durations[(count - 1) // 2 : count // 2 + 1])
    return sum(value.total_seconds() for value in middle) / len(middle) / 86400
