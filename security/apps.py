from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = _("Security")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from security.middleware import remember_two_factor_state

        # Session bookkeeping only: whether the person has two-factor on is noted at sign-in.
        user_logged_in.connect(remember_two_factor_state, dispatch_uid="security.two_factor_state")
        from audit.actions import register_actions, register_detail_labels
        from security.audit_actions import ACTIONS, DETAILS

        register_actions(ACTIONS)
        register_detail_labels(DETAILS)
