from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self):
        from participants import merging
        from training import participant_hooks

        merging.register_pair_resolver(participant_hooks.resolve_attendances_at_merge)
        from audit.actions import register_actions, register_detail_labels, register_object_link
        from training.audit_actions import ACTIONS, DETAILS, LINKS

        register_actions(ACTIONS)
        register_detail_labels(DETAILS)
        for object_type, link in LINKS.items():
            register_object_link(object_type, link)
