"""What the log says about referrals, in the reader's language."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "referrals.referral.made": _("Referral made"),
    "referrals.referral.status_changed": _("Referral status changed"),
    "referrals.referral.corrected": _("Referral moved with its corrected encounter"),
    "referrals.referral.withdrawn": _("Referral withdrawn with its encounter's correction"),
    "referrals.referral.viewed": _("Referral viewed"),
    "referrals.partner.created": _("Partner agency added"),
    "referrals.partner.updated": _("Partner agency changed"),
}

DETAILS = {
    "status": _("Status"),
}

# {object type: link(row id, name) -> its page}, for the log's Object column.
LINKS = {
    "referrals.referral": lambda row_id, name: reverse("referrals:detail", args=[int(row_id)]),
    "referrals.partner": lambda row_id, name: reverse("referrals:partner_edit", args=[int(row_id)]),
}
