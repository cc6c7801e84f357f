"""What encounters add to participants: the timeline on their page, the visits that keep them
from retention's anonymisation, and the notes erased when they are anonymised or deleted."""

from datetime import datetime

from django.db.models import OuterRef, QuerySet
from django.utils.translation import ngettext

from encounters.models import Encounter
from encounters.selectors import participant_timeline
from participants.models import Participant
from participants.pages import ParticipantSection


def encounters_since(cutoff: datetime) -> QuerySet[Encounter]:
    # A voided encounter never happened: it does not keep someone from anonymisation.
    return Encounter.objects.filter(
        participant=OuterRef("pk"), occurred_at__gte=cutoff, voided_at__isnull=True
    )


def erase_encounter_notes(participant_ids: list[int]) -> None:
    Encounter.objects.filter(participant_id__in=participant_ids).exclude(note="").update(note="")


def _kept_encounters(participant: Participant) -> str:
    count = participant.encounters.count()
    return ngettext(
        "Their %(counter)s encounter stays as an anonymous visit, so the program's totals do not "
        "change.",
        "Their %(counter)s encounters stay as anonymous visits, so the program's totals do not "
        "change.",
        count,
    ) % {"counter": count}


TIMELINE = ParticipantSection(
    order=20,
    template="encounters/_participant_timeline.html",
    context=lambda participant: {"timeline": participant_timeline(participant)},
    kept_on_deletion=_kept_encounters,
)
