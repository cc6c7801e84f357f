"""Reads about participants, always scoped to what the requesting user may see."""

from django.db.models import Q, QuerySet

from accounts.models import User
from participants.codes import code_hash
from participants.models import Characteristic, Participant, PossibleDuplicate
from participants.services import PUBLIC_ID_ALPHABET

SEARCH_LIMIT = 8


def profile_answers(participant: Participant) -> list[tuple[str, list[str]]]:
    """Each many-valued question answered, with the labels of its answers in the language of
    the request, in the enrolment form's order. A code no longer offered shows as stored."""
    given = set(participant.characteristics.values_list("question", "value"))
    rows = []
    for question in Characteristic.Question:
        choices = Characteristic.answer_choices(question)
        labels = [str(label) for value, label in choices.choices if (question, value) in given]
        labels += sorted(v for q, v in given if q == question and v not in choices.values)
        if labels:
            rows.append((str(question.label), labels))
    return rows


def participants_for(user: User) -> QuerySet[Participant]:
    """Participants of the user's program; none for funders and administrators.

    Anonymised participants (tombstones kept only so totals stay right) are nobody's to find.
    """
    if not user.is_authenticated or not user.is_program_staff:
        return Participant.objects.none()
    return Participant.objects.filter(program_id=user.program_id, anonymised_at__isnull=True)


def participant_with_code(user: User, code: str) -> Participant | None:
    """The participant whose code the answers derive, if enrolled in the user's program, or the
    one a participant with that code was merged into."""
    hashed = code_hash(user.program_id, code)
    found = participants_for(user).filter(code_hash=hashed).first()
    return found or participants_for(user).filter(merged_ids__code_hash=hashed).first()


def merged_into(user: User, public_id: str) -> Participant | None:
    """The participant a removed public id was merged into, if the user may see them."""
    return participants_for(user).filter(merged_ids__public_id=public_id).first()


def search_participants(user: User, query: str) -> list[Participant]:
    """Participants whose public id or alias matches what was typed (a few letters suffice)."""
    query = query.strip()
    if not query:
        return []
    compact = query.upper().removeprefix("HR-").removeprefix("HR")
    matches = Q(alias__icontains=query)
    if compact and all(ch in PUBLIC_ID_ALPHABET for ch in compact):
        # An id merged into another finds the participant it now belongs to.
        matches |= Q(public_id__startswith=f"HR-{compact}") | Q(
            merged_ids__public_id__startswith=f"HR-{compact}"
        )
    return list(
        participants_for(user)
        .filter(matches)
        .distinct()
        .order_by("alias", "public_id")[:SEARCH_LIMIT]
    )


def open_duplicates_for(user: User) -> QuerySet[PossibleDuplicate]:
    """Likely duplicate pairs a manager has not yet merged or dismissed."""
    if not user.is_authenticated or not user.is_manager:
        return PossibleDuplicate.objects.none()
    return PossibleDuplicate.objects.filter(
        program_id=user.program_id, dismissed=False
    ).select_related("participant", "other")
