from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CardsConfig(AppConfig):
    name = "cards"
    verbose_name = _("Participant cards")

    def ready(self):
        from cards import participant_hooks
        from participants import merging, pages

        pages.register_section(participant_hooks.CARD)
        merging.register_pair_resolver(participant_hooks.resolve_cards_at_merge)
        pages.register_enrolment_prompt(participant_hooks.PRINT_CARD_PROMPT)
