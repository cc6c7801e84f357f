"""What the log says about API tokens, in the reader's language."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "api.token.created": _("API token created"),
    "api.token.revoked": _("API token revoked"),
}

DETAILS = {
    "name": _("Name"),
    "user": _("User"),
}
