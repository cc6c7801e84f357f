"""What referrals add to participants: the list on their page and the notes erased when they are
anonymised or deleted."""

from django.utils.translation import ngettext

from participants.models import Participant
from participants.pages import ParticipantSection
from referrals.models import Referral, ReferralStatusChange


def erase_referral_notes(participant_ids: list[int]) -> None:
    Referral.objects.filter(participant_id__in=participant_ids).exclude(outcome_note="").update(
        outcome_note=""
    )
    ReferralStatusChange.objects.filter(referral__participant_id__in=participant_ids).exclude(
        note=""
    ).update(note="")


def _referrals_of(participant: Participant) -> dict:
    referrals = Referral.objects.filter(participant=participant).select_related("partner")
    return {"referrals": referrals.order_by("-made_at")}


def _kept_referrals(participant: Participant) -> str:
    count = Referral.objects.filter(participant=participant).count()
    return ngettext(
        "The same goes for %(counter)s referral.", "The same goes for %(counter)s referrals.", count
    ) % {"counter": count}


REFERRALS = ParticipantSection(
    order=10,
    template="referrals/_participant_referrals.html",
    context=_referrals_of,
    kept_on_deletion=_kept_referrals,
)
