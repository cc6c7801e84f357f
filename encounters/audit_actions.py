"""What the log says about encounters, in the reader's language."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "participants.encounter.recorded": _("Encounter recorded"),
    "participants.encounter.undone": _("Encounter undone"),
    "participants.encounter.corrected": _("Encounter corrected"),
    "participants.encounter.voided": _("Encounter voided"),
}

DETAILS: dict = {
    "reason": _("Reason"),
    "before": _("Before"),
    "after": _("After"),
}
