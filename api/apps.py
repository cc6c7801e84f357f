from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API")

    def ready(self):
        # Registers the token scheme with drf-spectacular.
        from accounts.staff_hooks import register_deactivation_hook
        from api import schema  # noqa: F401
        from api.audit_actions import ACTIONS, DETAILS
        from api.services import revoke_tokens_of
        from audit.actions import register_actions, register_detail_labels

        register_actions(ACTIONS)
        register_detail_labels(DETAILS)
        # A deactivated staff member's tokens stop working with their account.
        register_deactivation_hook(revoke_tokens_of)
