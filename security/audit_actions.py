"""What the log says about two-factor sign-in, in the reader's language."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "accounts.two_factor.enrollment_started": _("Two-factor set-up started"),
    "accounts.two_factor.enrolled": _("Two-factor set up"),
    "accounts.two_factor.verified": _("Two-factor code accepted"),
    "accounts.two_factor.failed": _("Two-factor code refused"),
    "accounts.two_factor.recovery_codes_replaced": _("Recovery codes replaced"),
    "accounts.two_factor.turned_off": _("Two-factor turned off"),
}

DETAILS = {
    "step": _("Step"),
    "throttled": _("Too many tries"),
    "method": _("Method"),
}
