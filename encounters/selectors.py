"""Reads about encounters, always scoped to what the requesting user may see."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from core.translated_names import localized_name_order
from encounters.models import Encounter, EncounterSupply
from participants.models import Participant
from participants.selectors import participants_for


def encounters_for(user: User) -> QuerySet[Encounter]:
    """Encounters of the user's program; none for funders and administrators. Voided ones only
    for managers, who see them marked."""
    if not user.is_authenticated or not user.is_program_staff:
        return Encounter.objects.none()
    encounters = Encounter.objects.filter(program_id=user.program_id)
    if not user.is_manager:
        encounters = encounters.filter(voided_at__isnull=True)
    return encounters


def last_encounter(participant: Participant) -> Encounter | None:
    """The participant's latest encounter with what was given; one indexed query plus lines."""
    return (
        Encounter.objects.filter(participant=participant, voided_at__isnull=True)
        .select_related("location")
        .prefetch_related(_supplies_with_items())
        .order_by("-occurred_at")
        .first()
    )


def _supplies_with_items() -> Prefetch:
    """Supply lines in the catalogue's order, names in the active language."""
    lines = EncounterSupply.objects.select_related("item").order_by(
        "item__display_order", localized_name_order("item")
    )
    return Prefetch("supplies", queryset=lines)


def participant_timeline(participant: Participant, *, limit: int = 50) -> list[Encounter]:
    """The participant's latest encounters, newest first, with locations, staff and supplies;
    voided ones are left out (managers find them, marked, in the encounter list)."""
    return list(
        Encounter.objects.filter(participant=participant, voided_at__isnull=True)
        .select_related("location", "staff")
        .prefetch_related(_supplies_with_items())
        .order_by("-occurred_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class EncounterFilters:
    location_id: int | None = None
    staff_id: int | None = None
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None


def filtered_encounters(user: User, filters: EncounterFilters, tzinfo) -> QuerySet[Encounter]:
    """Encounters matching the list filters, newest first; dates are days in the program zone."""
    encounters = encounters_for(user)
    if filters.location_id:
        encounters = encounters.filter(location_id=filters.location_id)
    if filters.staff_id:
        encounters = encounters.filter(staff_id=filters.staff_id)
    if filters.kind:
        encounters = encounters.filter(kind=filters.kind)
    if filters.date_from:
        start = datetime.combine(filters.date_from, time.min, tzinfo=tzinfo)
        encounters = encounters.filter(occurred_at__gte=start)
    if filters.date_to:
        end = datetime.combine(filters.date_to, time.max, tzinfo=tzinfo)
        encounters = encounters.filter(occurred_at__lte=end)
    return encounters.order_by("-occurred_at", "-id")


def with_list_details(encounters: QuerySet[Encounter]) -> QuerySet[Encounter]:
    """What a list row shows: participant, location, staff and supply lines (one extra query)."""
    return encounters.select_related("participant", "location", "staff").prefetch_related(
        _supplies_with_items()
    )


def last_seen(participants: list[Participant]) -> dict[int, Encounter]:
    """Each participant's latest encounter that counts (its time and location), by participant
    id; one query, for telling apart people a search finds under the same alias."""
    latest = (
        Encounter.objects.filter(
            participant_id__in=[participant.pk for participant in participants],
            voided_at__isnull=True,
        )
        .select_related("location")
        .order_by("participant_id", "-occurred_at")
        .distinct("participant_id")
    )
    return {encounter.participant_id: encounter for encounter in latest}


def recent_participants(user: User, *, limit: int = 6) -> list[Participant]:
    """Participants this worker saw most recently: one tap to pick a returning person."""
    recent_ids = []
    for participant_id in (
        encounters_for(user)
        .filter(staff=user, participant__isnull=False, voided_at__isnull=True)
        .order_by("-occurred_at")
        .values_list("participant_id", flat=True)[:50]
    ):
        if participant_id not in recent_ids:
            recent_ids.append(participant_id)
        if len(recent_ids) == limit:
            break
    by_id = participants_for(user).in_bulk(recent_ids)
    return [by_id[pk] for pk in recent_ids if pk in by_id]
