from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from audit.actions import register_actions, register_detail_labels, register_object_link
        from reports import checks  # noqa: F401 - registers the system checks
        from reports.audit_actions import ACTIONS, DETAILS, LINKS

        register_actions(ACTIONS)
        register_detail_labels(DETAILS)
        for object_type, link in LINKS.items():
            register_object_link(object_type, link)
