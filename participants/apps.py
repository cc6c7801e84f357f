from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Participants")

    def ready(self):
        from audit.object_names import register_namer
        from participants.audit_names import PARTICIPANT_NAMER

        register_namer(PARTICIPANT_NAMER)
        from audit.actions import register_actions, register_detail_labels, register_object_link
        from participants.audit_actions import ACTIONS, DETAILS, LINKS

        register_actions(ACTIONS)
        register_detail_labels(DETAILS)
        for object_type, link in LINKS.items():
            register_object_link(object_type, link)
