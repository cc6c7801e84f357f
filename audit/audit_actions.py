"""What the log says about itself, in the reader's language."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {"audit.log.downloaded": _("Audit log downloaded")}
