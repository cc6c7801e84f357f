from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self):
        from encounters import follow_ups
        from participants import activity, pages
        from referrals import participant_hooks
        from referrals.models import ReferralKind
        from referrals.services import (
            follow_corrected_encounter,
            make_referral_at_encounter,
            referral_kinds_at,
            withdraw_referrals_at_encounter,
        )

        follow_ups.register_referral_maker(
            follow_ups.ReferralMaker(
                choices=lambda: ReferralKind.choices,
                make=make_referral_at_encounter,
                kinds_at=referral_kinds_at,
                follow=follow_corrected_encounter,
                withdraw=withdraw_referrals_at_encounter,
            )
        )
        activity.register_free_text_eraser(participant_hooks.erase_referral_notes)
        pages.register_section(participant_hooks.REFERRALS)
        from audit.actions import register_actions, register_detail_labels, register_object_link
        from referrals.audit_actions import ACTIONS, DETAILS, LINKS

        register_actions(ACTIONS)
        register_detail_labels(DETAILS)
        for object_type, link in LINKS.items():
            register_object_link(object_type, link)
