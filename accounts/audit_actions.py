"""What the log says about sign-ins and users, in the reader's language."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "accounts.user.signed_in": _("Signed in"),
    "accounts.user.signed_out": _("Signed out"),
    "accounts.user.sign_in_failed": _("Sign-in failed"),
    "accounts.user.language_changed": _("Language changed"),
    "accounts.user.password_reset_requested": _("Password reset link asked for"),
    "accounts.user.added": _("Staff member added"),
    "accounts.user.updated": _("Staff member changed"),
    "accounts.user.deactivated": _("Staff member deactivated"),
    "accounts.user.reactivated": _("Staff member reactivated"),
    "accounts.user.invitation_sent": _("Invitation sent again"),
}

DETAILS = {
    "language": _("Language"),
    "locked_out": _("Locked out"),
    "page": _("Page"),
    "username": _("User name"),
    "role": _("Role"),
    "locations": _("Locations"),
    "changed": _("Changed"),
    "sessions_ended": _("Sessions ended"),
}
