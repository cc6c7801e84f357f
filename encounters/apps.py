from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EncountersConfig(AppConfig):
    name = "encounters"
    verbose_name = _("Encounters")

    def ready(self):
        from encounters import participant_hooks, selectors
        from participants import activity, pages

        activity.register_seen_since(participant_hooks.encounters_since)
        activity.register_free_text_eraser(participant_hooks.erase_encounter_notes)
        activity.register_recently_seen_by(selectors.recent_participants)
        pages.register_section(participant_hooks.TIMELINE)
        from audit.actions import register_actions, register_detail_labels
        from encounters.audit_actions import ACTIONS, DETAILS

        register_actions(ACTIONS)
        register_detail_labels(DETAILS)
