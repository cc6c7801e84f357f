from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        from audit import receivers  # noqa: F401  (connects the sign-in receivers)
        from audit.actions import register_actions, register_detail_labels
        from audit.audit_actions import ACTIONS, DETAILS

        register_actions(ACTIONS)
        register_detail_labels(DETAILS)
