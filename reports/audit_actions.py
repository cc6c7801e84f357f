"""What the log says about reports, in the reader's language."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "reports.definition.created": _("Report definition created"),
    "reports.definition.changed": _("Report definition changed"),
    "reports.run.requested": _("Report run requested"),
    "reports.run.scheduled": _("Report run scheduled"),
    "reports.run.built": _("Report built"),
    "reports.run.failed": _("Report run failed"),
    "reports.run.retried": _("Report run retried"),
    "reports.run.published": _("Report published"),
    "reports.run.downloaded": _("Report downloaded"),
    "reports.extract.downloaded": _("Extract downloaded"),
    "reports.community.changed": _("Community page changed"),
    "reports.community.released": _("Community page period released"),
}

DETAILS = {
    "period_start": _("Period start"),
    "period_end": _("Period end"),
    "format": _("Format"),
    "error": _("Error"),
    "bytes": _("Sizes (bytes)"),
    "ready": _("Ready report"),
    "year": _("Year"),
    "extract": _("Extract"),
    "definition": _("Definition"),
    "measures": _("Measures"),
    "breakdowns": _("Breakdowns"),
    "published_to": _("Published to"),
    "organisations": _("Organisations"),
    "recipients": _("Recipients"),
    "period": _("Period"),
    "schedule": _("Schedule"),
    "run_on_day": _("Run on day"),
    "enabled": _("Enabled"),
    "is_active": _("Active"),
    "withheld": _("Withheld by the release check"),
}

# {object type: link(row id, name) -> its page}, for the log's Object column.
LINKS = {
    "reports.reportrun": lambda row_id, name: reverse("reports:run", args=[int(row_id)]),
    "reports.reportdefinition": lambda row_id, name: reverse(
        "reports:definition", args=[int(row_id)]
    ),
}
