"""What the log says about encounters, in the reader's language."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "participants.encounter.recorded": _("Encounter recorded"),
    "participants.encounter.undone": _("Encounter undone"),
}

DETAILS: dict = {}
