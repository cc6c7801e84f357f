"""What trainings add to a merge of participants: one attendance per session."""

from django.db.models import Exists, OuterRef

from participants.models import Participant
from training.models import Attendee, Certificate


def resolve_attendances_at_merge(*, by, keep: Participant, duplicate: Participant) -> dict:
    """Both attended one session: one attendance stays, the one with a certificate if only one
    has it (else the kept participant's); the other is deleted before the history moves."""
    both = Attendee.objects.filter(
        participant=duplicate,
        session__in=Attendee.objects.filter(participant=keep).values("session"),
    )
    removed = 0
    for theirs in both.annotate(
        certified=Exists(Certificate.objects.filter(attendee=OuterRef("pk")))
    ):
        ours = Attendee.objects.filter(participant=keep, session_id=theirs.session_id).annotate(
            certified=Exists(Certificate.objects.filter(attendee=OuterRef("pk")))
        )
        ours = ours.first()
        loser = ours if theirs.certified and not ours.certified else theirs
        loser.delete()
        removed += 1
    return {"training.attendee same session": removed}
