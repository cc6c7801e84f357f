from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliesConfig(AppConfig):
    name = "supplies"
    verbose_name = _("Supplies")

    def ready(self):
        from audit.actions import register_actions, register_detail_labels
        from supplies.audit_actions import ACTIONS, DETAILS

        register_actions(ACTIONS)
        register_detail_labels(DETAILS)
