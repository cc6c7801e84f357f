from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Users, roles and locations")

    def ready(self):
        from accounts.audit_actions import ACTIONS, DETAILS
        from audit.actions import register_actions, register_detail_labels

        register_actions(ACTIONS)
        register_detail_labels(DETAILS)
