"""The audit log names participants by their card id, and finds them by it."""

from django.utils.translation import gettext_lazy as _

from audit.object_names import ObjectNamer
from participants.models import Participant


def _card_ids(user, row_ids: set[str]) -> dict[str, str]:
    """Card ids of the user's program's participants; those deleted since are missing."""
    ids = [int(pk) for pk in row_ids if pk.isdigit()]
    if not ids or not user.is_manager:
        return {}
    rows = Participant.objects.filter(program_id=user.program_id, pk__in=ids)
    return {str(pk): public_id for pk, public_id in rows.values_list("pk", "public_id")}


def _row_id_of_card(user, public_id: str) -> str | None:
    pk = (
        Participant.objects.filter(program_id=user.program_id, public_id=public_id.upper())
        .values_list("pk", flat=True)
        .first()
    )
    return str(pk) if pk is not None else None


PARTICIPANT_NAMER = ObjectNamer(
    object_type=Participant._meta.label_lower,
    names=_card_ids,
    reads=lambda text: text.upper().startswith("HR-"),
    find=_row_id_of_card,
    not_found=_("No participant with this card id."),
)
