from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Participants")

    def ready(self):
        from audit.object_names import register_namer
        from participants.audit_names import PARTICIPANT_NAMER

        register_namer(PARTICIPANT_NAMER)
