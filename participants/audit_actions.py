"""What the log says about participants, in the reader's language."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "participants.participant.enrolled": _("Participant enrolled"),
    "participants.participant.viewed": _("Participant viewed"),
    "participants.participant.updated": _("Participant's answers changed"),
    "participants.participant.merged": _("Participants merged"),
    "participants.participant.deleted_on_request": _("Participant deleted on their request"),
    "participants.duplicate.dismissed": _("Possible duplicate dismissed"),
    "participants.retention.anonymised": _("Inactive participants anonymised"),
}

DETAILS = {
    "merged": _("Merged"),
    "moved": _("Moved"),
    "encounters_moved": _("Encounters moved"),
    "anonymised": _("Anonymised"),
    "not_seen_since": _("Not seen since"),
    "retention_years": _("Retention (years)"),
}

# {object type: link(row id, name) -> its page}, for the log's Object column.
LINKS = {
    "participants.participant": lambda row_id, name: (
        reverse("participants:detail", args=[name]) if name else None
    ),
}
