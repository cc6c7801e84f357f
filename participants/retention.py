"""Forgetting participants: anonymisation after the retention period, deletion on request.

Both leave a *tombstone*: the participant row stays, so every encounter, supply line, referral
and training attendance keeps pointing at one (nameless) person and every count a report makes
is unchanged. What goes is everything that could link the row to a human being: the profile
answers, the code hash (replaced by a random value, so the code questions no longer find them:
a returning person enrols anew), the public id on their card, free-text notes about them and
any duplicate flags. Anonymised participants drop out of every page and search.
"""

import secrets
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Program, User
from audit.services import record_action
from core.errors import DomainError
from participants import activity
from participants.models import Characteristic, MergedId, Participant, PossibleDuplicate
from participants.services import PUBLIC_ID_ALPHABET

# A tombstone's public id: never a valid card id (cards are HR-xxxxx), never reused.
TOMBSTONE_PREFIX = "ANON-"
TOMBSTONE_ID_LENGTH = 7
BATCH_SIZE = 500

Because = Participant.AnonymisedBecause


class RetentionError(DomainError):
    """A forgetting request that cannot be carried out, with a message a manager can read."""


def years_before(moment: datetime, years: int) -> datetime:
    """The same instant `years` calendar years earlier (29 February falls back to the 28th)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def retention_cutoff(*, now: datetime | None = None) -> datetime | None:
    """Participants not seen since this instant are due; None when retention is turned off."""
    years = settings.PARTICIPANT_RETENTION_YEARS
    if years <= 0:
        return None
    return years_before(now or timezone.now(), years)


def participants_due_for_anonymisation(cutoff: datetime) -> QuerySet[Participant]:
    """Participants with no encounter since `cutoff` and enrolled before it (all programs).

    One query with an anti-join on the (participant, occurred_at) index.
    """
    due = Participant.objects.filter(anonymised_at__isnull=True, enrolled_at__lt=cutoff)
    for seen in activity.seen_since(cutoff):
        due = due.exclude(seen)
    return due


def _tombstone_public_ids(count: int) -> list[str]:
    ids: set[str] = set()
    while len(ids) < count:
        candidates = {
            TOMBSTONE_PREFIX
            + "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(TOMBSTONE_ID_LENGTH))
            for _ in range(count - len(ids))
        }
        taken = set(
            Participant.objects.filter(public_id__in=candidates).values_list("public_id", flat=True)
        )
        ids |= candidates - taken
    return list(ids)


def _anonymise(participants: list[Participant], *, because: str, at: datetime) -> None:
    """Wipe what identifies these (locked) participants; their history stays and keeps counting."""
    public_ids = _tombstone_public_ids(len(participants))
    for participant, public_id in zip(participants, public_ids, strict=True):
        participant.public_id = public_id
        # 64 random hex digits look like any HMAC, but no code answers will ever derive them.
        participant.code_hash = secrets.token_hex(32)
        for field in Participant.PROFILE_FIELDS:
            setattr(participant, field, Participant._meta.get_field(field).get_default())
        participant.anonymised_at = at
        participant.anonymised_because = because
    Participant.objects.bulk_update(
        participants,
        [
            *Participant.IDENTITY_FIELDS,
            *Participant.PROFILE_FIELDS,
            "anonymised_at",
            "anonymised_because",
        ],
    )
    ids = [participant.pk for participant in participants]
    # Populations, substances and routes are profile answers too.
    Characteristic.objects.filter(participant_id__in=ids).delete()
    # The ids and codes of those merged into them identify them as much as their own.
    MergedId.objects.filter(participant_id__in=ids).delete()
    PossibleDuplicate.objects.filter(participant_id__in=ids).delete()
    PossibleDuplicate.objects.filter(other_id__in=ids).delete()
    # Free text written about them could name them; the counted facts stay.
    activity.erase_free_text(ids)


def anonymise_inactive_participants(*, now: datetime | None = None) -> dict[int, int]:
    """Anonymise every participant not seen for the retention period; {program id: count}.

    Safe to run twice: a second run finds nobody left to do. Each program gets one audit entry
    per run with the count, and nothing about who they were.
    """
    now = now or timezone.now()
    cutoff = retention_cutoff(now=now)
    if cutoff is None:
        return {}
    counts: dict[int, int] = {}
    while True:
        with transaction.atomic():
            # Locked and re-checked in one statement: an encounter saved meanwhile keeps them.
            batch = list(
                participants_due_for_anonymisation(cutoff)
                .order_by("pk")
                .select_for_update(skip_locked=True)[:BATCH_SIZE]
            )
            if not batch:
                break
            _anonymise(batch, because=Because.RETENTION, at=now)
        for participant in batch:
            counts[participant.program_id] = counts.get(participant.program_id, 0) + 1
    with transaction.atomic():
        for program in Program.objects.order_by("pk"):
            record_action(
                actor=None,
                action="participants.retention.anonymised",
                program=program,
                details={
                    "anonymised": counts.get(program.pk, 0),
                    "retention_years": settings.PARTICIPANT_RETENTION_YEARS,
                    "not_seen_since": cutoff.date().isoformat(),
                },
            )
    return counts


@transaction.atomic
def delete_participant_on_request(*, by: User, participant: Participant) -> None:
    """Forget a participant who asked: wipe their identity, keep their history anonymous.

    The encounters, supplies, referrals and trainings stay attached to a nameless tombstone so
    program totals do not change; the audit entry names the row id only.
    """
    if not by.is_manager or participant.program_id != by.program_id:
        raise RetentionError(_("Only a manager of the participant's program can delete them."))
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.anonymised_at is not None:
        raise RetentionError(_("This participant has already been anonymised."))
    _anonymise([participant], because=Because.REQUEST, at=timezone.now())
    record_action(
        actor=by,
        action="participants.participant.deleted_on_request",
        target=participant,
        program=participant.program,
    )
