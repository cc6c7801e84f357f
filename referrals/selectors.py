"""Reads about referrals, scoped to what the requesting user may see."""

from datetime import date

from django.db.models import QuerySet

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
