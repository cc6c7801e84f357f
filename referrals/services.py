"""Writes about referrals: making them, moving them through their statuses, partners."""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import record_action
from core.errors import DomainError
from encounters.models import Encounter
from encounters.services import EncounterError
from participants.models import Participant
from referrals.models import Partner, PartnerService, Referral, ReferralKind, ReferralStatusChange


class ReferralError(DomainError):
    """A referral that cannot be made or changed as asked."""


def default_follow_up_due(kind: str, *, made_on: date) -> date:
    days = settings.REFERRAL_FOLLOW_UP_DAYS.get(kind, settings.REFERRAL_FOLLOW_UP_DEFAULT_DAYS)
    return made_on + timedelta(days=days)


@transaction.atomic
def make_referral(
    *,
    by: User,
    participant: Participant,
    kind: str,
    partner: Partner | None = None,
    encounter: Encounter | None = None,
    status: str = Referral.Status.MADE,
    follow_up_due: date | None = None,
) -> Referral:
    """Refer a participant; the follow-up date defaults by kind. A referral made at an
    encounter is dated at the encounter (a back-entered or synced one is not dated at save)."""
    if participant.program_id != by.program_id:
        raise ReferralError(_("No such participant in your program."))
    if kind not in ReferralKind.values:
        raise ReferralError(_("Choose a kind of referral."))
    if partner is not None and partner.program_id != by.program_id:
        raise ReferralError(_("No such partner in your program."))
    if status not in (Referral.Status.OFFERED, Referral.Status.MADE):
        raise ReferralError(_("A new referral is offered or made."))
    now = timezone.now()
    made_at = encounter.occurred_at if encounter is not None else now
    made_on = timezone.localdate(made_at, by.program.tzinfo)
    if follow_up_due is not None and follow_up_due < made_on:
        raise ReferralError(
            _("The follow-up date is before the referral (%(day)s). Choose that day or later.")
            % {"day": formats.date_format(made_on)},
            field="follow_up_due",
        )
    referral = Referral.objects.create(
        program_id=by.program_id,
        participant=participant,
        kind=kind,
        partner=partner,
        encounter=encounter,
        made_by=by,
        made_at=made_at,
        follow_up_due=follow_up_due or default_follow_up_due(kind, made_on=made_on),
        status=status,
    )
    ReferralStatusChange.objects.create(
        referral=referral, status=status, changed_at=made_at, changed_by=by
    )
    record_action(actor=by, action="referrals.referral.made", target=referral, program=by.program)
    return referral


def make_referral_at_encounter(*, by: User, encounter: Encounter, kind: str) -> None:
    """A referral ticked on the encounter screen; registered with encounters.follow_ups."""
    try:
        make_referral(by=by, participant=encounter.participant, kind=kind, encounter=encounter)
    except ReferralError as error:
        raise EncounterError(error.message, field="referral_kinds") from error


def referral_kinds_at(encounter: Encounter) -> list[str]:
    """The kinds of the referrals made at an encounter; registered with encounters.follow_ups."""
    return sorted(Referral.objects.filter(encounter=encounter).values_list("kind", flat=True))


def follow_corrected_encounter(*, by: User, encounter: Encounter) -> None:
    """The referrals made at a corrected encounter take its participant and its time (the
    first status of their history too, and the follow-up date counted from the new day)."""
    for referral in Referral.objects.select_for_update().filter(encounter=encounter):
        if (referral.participant_id, referral.made_at) == (
            encounter.participant_id,
            encounter.occurred_at,
        ):
            continue
        was_made_at = referral.made_at
        referral.participant_id = encounter.participant_id
        referral.made_at = encounter.occurred_at
        referral.follow_up_due = default_follow_up_due(
            referral.kind, made_on=timezone.localdate(referral.made_at, by.program.tzinfo)
        )
        referral.save(update_fields=["participant", "made_at", "follow_up_due"])
        referral.history.filter(changed_at=was_made_at).update(changed_at=referral.made_at)
        record_action(
            actor=by,
            action="referrals.referral.corrected",
            target=referral,
            program=by.program,
            details={"encounter": str(encounter.pk)},
        )


def withdraw_referrals_at_encounter(*, by: User, encounter: Encounter, kinds: list[str]) -> None:
    """Remove the referrals of these kinds made at an encounter that was corrected or voided;
    one followed up since stays, and the correction is refused."""
    referrals = Referral.objects.select_for_update().filter(encounter=encounter, kind__in=kinds)
    for referral in referrals:
        if not referral.is_open or referral.history.count() > 1:
            raise EncounterError(
                _(
                    "The %(kind)s referral made at this encounter has been followed up since: "
                    "change it on the referral first."
                )
                % {"kind": referral.get_kind_display()},
                field="referral_kinds",
            )
        record_action(
            actor=by,
            action="referrals.referral.withdrawn",
            target=referral,
            program=by.program,
            details={"kind": referral.kind, "encounter": str(encounter.pk)},
        )
        referral.delete()


@transaction.atomic
def change_referral_status(
    *, by: User, referral: Referral, status: str, note: str = ""
) -> Referral:
    """Move a referral to a new status, keeping the history; linking stamps the linkage time."""
    if status not in Referral.Status.values:
        raise ReferralError(_("Unknown status."))
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if status == referral.status:
        raise ReferralError(_("The referral already has this status."))
    now = timezone.now()
    referral.status = status
    update_fields = ["status"]
    if status in Referral.LINKED_STATUSES and referral.linked_at is None:
        referral.linked_at = now
        update_fields.append("linked_at")
    if note:
        referral.outcome_note = note
        update_fields.append("outcome_note")
    referral.save(update_fields=update_fields)
    ReferralStatusChange.objects.create(
        referral=referral, status=status, changed_at=now, changed_by=by, note=note
    )
    record_action(
        actor=by,
        action="referrals.referral.status_changed",
        target=referral,
        program=by.program,
        details={"status": status},
    )
    return referral


@transaction.atomic
def save_partner(*, by: User, partner: Partner, services: list[str]) -> Partner:
    """Create or update a partner agency and the services it offers."""
    if partner.pk and partner.program_id != by.program_id:
        raise ReferralError(_("No such partner in your program."))
    created = partner.pk is None
    partner.program_id = by.program_id
    partner.save()
    partner.services.exclude(kind__in=services).delete()
    existing = set(partner.services.values_list("kind", flat=True))
    PartnerService.objects.bulk_create(
        PartnerService(partner=partner, kind=kind) for kind in services if kind not in existing
    )
    record_action(
        actor=by,
        action="referrals.partner.created" if created else "referrals.partner.updated",
        target=partner,
        program=by.program,
    )
    return partner
