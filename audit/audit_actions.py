"""What the log says about itself, in the reader's language."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {"audit.log.downloaded": _("Audit log downloaded")}

# The download's own details, and the filters it was made with (the form's field names).
DETAILS = {
    "rows": _("Rows"),
    "filters": _("Filters"),
    "date_from": _("From"),
    "date_to": _("To"),
    "user": _("User"),
    "action": _("Action"),
    "object_type": _("Object type"),
    "object_id": _("Object id"),
}
