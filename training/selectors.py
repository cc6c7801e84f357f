"""Reads about trainings, scoped to what the requesting user may see."""

from datetime import date

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from accounts.models import User
from core.translated_names import localized_name, localized_name_order
from supplies.models import Item, StockMovement
from supplies.selectors import items_for
from training.models import Attendee, Certificate, TrainingSession


def trainings_for(user: User) -> QuerySet[TrainingSession]:
    """Sessions of the user's program: all for a manager, those they gave for outreach."""
    if not user.is_authenticated or not user.is_program_staff:
        return TrainingSession.objects.none()
    sessions = TrainingSession.objects.filter(program_id=user.program_id)
    if user.is_outreach:
        sessions = sessions.filter(trainer=user)
    return sessions


def certificates_for(user: User) -> QuerySet[Certificate]:
    """Certificates of the user's program, for its staff; none for anyone else."""
    if not user.is_authenticated or not user.is_program_staff:
        return Certificate.objects.none()
    return Certificate.objects.filter(attendee__session__program_id=user.program_id)


def naloxone_items_for(user: User) -> QuerySet[Item]:
    """The naloxone of the program catalogue: what may be handed out at a training."""
    return items_for(user).filter(category=Item.Category.NALOXONE, is_active=True)


def filtered_trainings(
    user: User, *, kind: str = "", date_from: date | None = None, date_to: date | None = None
) -> QuerySet[TrainingSession]:
    """Sessions for the list, newest first, with trainer and the kits handed out (one query)."""
    sessions = trainings_for(user)
    if kind:
        sessions = sessions.filter(kind=kind)
    if date_from:
        sessions = sessions.filter(held_on__gte=date_from)
    if date_to:
        sessions = sessions.filter(held_on__lte=date_to)
    return (
        sessions.select_related("trainer")
        .annotate(kits_handed_out=_kits_handed_out("movements__"))
        .order_by("-held_on", "-id")
    )


def _kits_handed_out(prefix: str) -> Coalesce:
    """Units handed out: distributed movements are negative, so the sum is negated."""
    return Coalesce(
        -Sum(
            f"{prefix}quantity",
            filter=Q(**{f"{prefix}kind": StockMovement.Kind.DISTRIBUTED}),
        ),
        0,
    )


def session_attendees(session: TrainingSession) -> list[Attendee]:
    """The session's attendees with their participant and certificate (one query)."""
    return list(session.attendees.select_related("participant", "certificate").order_by("id"))


def session_kits(session: TrainingSession) -> list[dict]:
    """What the session handed out, per item: [{'item': name, 'quantity': n}] (one query)."""
    return [
        {
            "item": localized_name(row["lot__item__name"], row["lot__item__name_translations"]),
            "quantity": row["quantity"],
        }
        for row in StockMovement.objects.filter(
            training_session=session, kind=StockMovement.Kind.DISTRIBUTED
        )
        .values("lot__item__name", "lot__item__name_translations")
        .annotate(quantity=-Sum("quantity"))
        .order_by(localized_name_order("lot__item"))
    ]


def certificate_to_verify(code: str) -> Certificate | None:
    """The certificate with this code, for the public verification page, or None."""
    code = code.strip().upper()
    if not code:
        return None
    return (
        Certificate.objects.select_related("attendee__session__program").filter(code=code).first()
    )
