"""What the log says about trainings, in the reader's language."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "training.session.recorded": _("Training recorded"),
    "training.certificates.issued": _("Certificates issued"),
    "training.certificate.downloaded": _("Certificate downloaded"),
}

DETAILS = {
    "certificates": _("Certificates"),
    "attendee_count": _("Attendees"),
    "attendees_recorded": _("Attendees recorded"),
    "kits": _("Naloxone kits"),
}

# {object type: link(row id, name) -> its page}, for the log's Object column.
LINKS = {
    "training.trainingsession": lambda row_id, name: reverse("training:detail", args=[int(row_id)]),
}
