"""Writes about encounters: recording, undoing."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from accounts.models import Location, User
from audit.services import record_action
from core.errors import DomainError
from core.forms import EARLIEST_DATE, LATEST_DATE
from encounters import follow_ups
from encounters.models import Encounter, EncounterSupply
from participants.models import Participant
from supplies import services as supplies_services
from supplies.models import Item

# The confirmation shows undo for 10 seconds; a slow network gets a little more.
UNDO_WINDOW = timedelta(seconds=30)
FUTURE_TOLERANCE = timedelta(days=1)
# An encounter saved on a phone with no signal reaches the server when the signal returns, maybe
# days later: it keeps the day it happened without needing the back-entry permission.
OFFLINE_QUEUE_TOLERANCE = timedelta(days=7)


class EncounterError(DomainError):
    """An encounter that cannot be recorded or changed as asked."""


@dataclass(frozen=True)
class SupplyLine:
    item: Item
    quantity: int


def may_backdate(user: User) -> bool:
    return user.is_manager or user.has_perm("encounters.backdate_encounter")


def _check_time(*, by: User, occurred_at: datetime, queued_offline: bool = False) -> None:
    # Before any arithmetic: near year 1 or 9999 a change of zone overflows.
    if not EARLIEST_DATE <= occurred_at.date() <= LATEST_DATE:
        raise EncounterError(_("Give a date between 1900 and 2100."), field="occurred_at")
    now = timezone.now()
    if occurred_at > now + FUTURE_TOLERANCE:
        raise EncounterError(_("The time is in the future. Check the date."), field="occurred_at")
    program = by.program
    started_on = program.started_on
    program_today = timezone.localtime(now, timezone=program.tzinfo).date()
    local_day = timezone.localtime(occurred_at, timezone=program.tzinfo).date()
    if started_on and local_day < started_on:
        raise EncounterError(
            _("The program began on %(date)s; the encounter cannot be earlier.")
            % {"date": started_on.isoformat()},
            field="occurred_at",
        )
    synced_from_queue = queued_offline and now - occurred_at <= OFFLINE_QUEUE_TOLERANCE
    if local_day < program_today and not may_backdate(by) and not synced_from_queue:
        raise EncounterError(
            _("Recording an encounter of a past day needs the back-entry permission."),
            field="occurred_at",
        )


def _check_supplies(supplies: list[SupplyLine], program_id: int) -> None:
    seen = set()
    for line in supplies:
        if line.item.program_id != program_id or not line.item.is_active:
            raise EncounterError(
                _("%(item)s is not in this program's catalogue.") % {"item": line.item},
                field="supplies",
            )
        if line.item.pk in seen:
            raise EncounterError(
                _("%(item)s is listed twice.") % {"item": line.item}, field="supplies"
            )
        seen.add(line.item.pk)
        if line.quantity < 0:
            raise EncounterError(_("A quantity cannot be negative."), field="supplies")
        if line.quantity > line.item.max_per_encounter:
            raise EncounterError(
                _("At most %(count)d of %(item)s can be given at one encounter.")
                % {"count": line.item.max_per_encounter, "item": line.item},
                field="supplies",
            )


def _check_refill(reason: str, supplies: list[SupplyLine]) -> None:
    """A refill reason says why naloxone given now replaces a kit, so naloxone must be given."""
    if not reason:
        return
    if reason not in Encounter.RefillReason.values:
        raise EncounterError(_("Choose why the last kit is gone."), field="naloxone_refill_reason")
    if not any(line.item.category == Item.Category.NALOXONE for line in supplies):
        raise EncounterError(
            _("A naloxone refill needs naloxone among the supplies given."),
            field="naloxone_refill_reason",
        )


@sensitive_variables("note")
def record_encounter(
    *,
    by: User,
    encounter_id: uuid.UUID | None = None,
    participant: Participant | None,
    location: Location,
    kind: str,
    occurred_at: datetime | None = None,
    supplies: list[SupplyLine] = (),
    syringes_collected: int = 0,
    secondary_distribution_for: int = 0,
    overdose_reversals_reported: int = 0,
    naloxone_refill_reason: str = "",
    services: dict[str, bool] | None = None,
    referral_kinds: list[str] = (),
    note: str = "",
    queued_offline: bool = False,
    known_new: bool = False,
    stock_batch: supplies_services.HandoutBatch | None = None,
) -> tuple[Encounter, bool]:
    """Store an encounter once: a resubmitted id returns the stored one, (encounter, False).

    `queued_offline`: it was saved on a device without signal and synced later, so a past day
    within OFFLINE_QUEUE_TOLERANCE needs no back-entry permission. `known_new`: the caller
    has just looked the id up (a sync batch, for all its items at once), so the lookup is not
    repeated; a concurrent twin is still caught by the primary key. `stock_batch`: the
    supplies are taken from the stock a sync chunk locked and read once (HandoutBatch).
    """
    encounter_id = encounter_id or uuid.uuid4()
    existing = None if known_new else Encounter.objects.filter(pk=encounter_id).first()
    if existing is not None:
        _check_same_program(existing, by)
        return existing, False
    occurred_at = occurred_at or timezone.now()
    _check_time(by=by, occurred_at=occurred_at, queued_offline=queued_offline)
    if participant is not None and (
        participant.program_id != by.program_id or participant.anonymised_at is not None
    ):
        raise EncounterError(_("No such participant in your program."), field="participant")
    if location.program_id != by.program_id:
        raise EncounterError(_("No such location in your program."), field="location")
    if kind not in Encounter.Kind.values:
        raise EncounterError(_("Choose what kind of encounter this was."), field="kind")
    if note and not by.program.encounter_notes_enabled:
        raise EncounterError(_("Notes are turned off for this program."), field="note")
    supplies = [line for line in supplies if line.quantity != 0]
    _check_supplies(supplies, by.program_id)
    if referral_kinds and participant is None:
        raise EncounterError(
            _("A referral needs a participant: find them, or leave the referral out."),
            field="referral_kinds",
        )
    _check_refill(naloxone_refill_reason, supplies)
    unknown_services = set(services or {}) - set(Encounter.SERVICE_FIELDS)
    if unknown_services:
        raise EncounterError(_("Unknown service."), field="services")
    try:
        with transaction.atomic():
            encounter = Encounter.objects.create(
                id=encounter_id,
                program_id=by.program_id,
                participant=participant,
                location=location,
                staff=by,
                occurred_at=occurred_at,
                kind=kind,
                syringes_collected=syringes_collected,
                secondary_distribution_for=secondary_distribution_for,
                overdose_reversals_reported=overdose_reversals_reported,
                naloxone_refill_reason=naloxone_refill_reason,
                note=note,
                **(services or {}),
            )
            if supplies:
                _hand_out(by=by, encounter=encounter, supplies=supplies, batch=stock_batch)
            for kind in referral_kinds:
                follow_ups.make_referral(by=by, encounter=encounter, kind=kind)
            record_action(
                actor=by,
                action="participants.encounter.recorded",
                target=encounter,
                program=by.program,
            )
    except IntegrityError:
        # The same id arrived twice at once: the other request stored it.
        existing = Encounter.objects.filter(pk=encounter_id).first()
        if existing is None:
            raise
        _check_same_program(existing, by)
        return existing, False
    return encounter, True


def _hand_out(
    *,
    by: User,
    encounter: Encounter,
    supplies: list[SupplyLine],
    batch: supplies_services.HandoutBatch | None = None,
) -> None:
    """Record the supply lines and take them from the location's stock, first expiry first."""
    lines = EncounterSupply.objects.bulk_create(
        EncounterSupply(encounter=encounter, item=line.item, quantity=line.quantity)
        for line in supplies
    )
    try:
        supplies_services.distribute_items(
            by=by,
            location=encounter.location,
            handouts=[
                supplies_services.Handout(line.item, line.quantity, encounter_supply=line)
                for line in lines
            ],
            batch=batch,
        )
    except supplies_services.StockError as error:
        raise EncounterError(error.message, field="supplies") from error


def _check_same_program(encounter: Encounter, by: User) -> None:
    if encounter.program_id != by.program_id:
        raise EncounterError(_("This encounter id is already used."), field="encounter_id")


@transaction.atomic
def undo_encounter(*, by: User, encounter: Encounter) -> None:
    """Remove an encounter its own author saved moments ago (the undo on the confirmation).

    Locked first: an encounter voided meanwhile gave its supplies back already, and a second
    press of Undo finds it gone; either is refused rather than returning stock twice."""
    encounter = Encounter.objects.select_for_update(of=("self",)).filter(pk=encounter.pk).first()
    if (
        encounter is None
        or encounter.is_voided
        or encounter.staff_id != by.pk
        or timezone.now() - encounter.created_at > UNDO_WINDOW
    ):
        raise EncounterError(_("This encounter can no longer be undone here."))
    follow_ups.withdraw_referrals(
        by=by, encounter=encounter, kinds=follow_ups.referral_kinds_at(encounter)
    )
    supplies_services.return_encounter_supplies(by=by, encounter=encounter)
    record_action(
        actor=by,
        action="participants.encounter.undone",
        target=encounter,
        program=encounter.program,
    )
    encounter.delete()


# --- Corrections and voiding ------------------------------------------------------------------

# What a correction may change; supplies and referrals come as their whole new lists.
CORRECTABLE_FIELDS = (
    "participant",
    "location",
    "kind",
    "occurred_at",
    "syringes_collected",
    "secondary_distribution_for",
    "overdose_reversals_reported",
    "naloxone_refill_reason",
    *Encounter.SERVICE_FIELDS,
    "note",
)


def may_correct(user: User, encounter: Encounter) -> bool:
    """The author on the program's day the encounter was saved; a manager (or a worker with the
    back-entry permission) at any time. A voided encounter is not changed again."""
    if encounter.program_id != user.program_id or encounter.is_voided:
        return False
    if may_backdate(user):
        return True
    saved_on = timezone.localtime(encounter.created_at, timezone=user.program.tzinfo).date()
    return encounter.staff_id == user.pk and saved_on == user.program.today()


def _locked_for_change(*, by: User, encounter: Encounter, reason: str) -> Encounter:
    encounter = (
        Encounter.objects.select_for_update(of=("self",))
        .select_related("participant", "location")
        .get(pk=encounter.pk)
    )
    if encounter.is_voided:
        raise EncounterError(_("This encounter was voided; it cannot be changed."))
    if not may_correct(by, encounter):
        raise EncounterError(
            _(
                "Only a manager can change this encounter now: its author can until the end of "
                "the day it was saved."
            )
        )
    if not reason.strip():
        raise EncounterError(_("Say why the encounter is changed."), field="reason")
    return encounter


def _snapshot(encounter: Encounter) -> dict:
    """What the audit entry keeps of an encounter: every field but the note's words (notes are
    erased with their participant; the log is never changed)."""
    return {
        "occurred_at": encounter.occurred_at.isoformat(),
        "participant": encounter.participant.public_id if encounter.participant else None,
        "location": encounter.location_id,
        "kind": encounter.kind,
        "syringes_collected": encounter.syringes_collected,
        "secondary_distribution_for": encounter.secondary_distribution_for,
        "overdose_reversals_reported": encounter.overdose_reversals_reported,
        "naloxone_refill_reason": encounter.naloxone_refill_reason,
        **{name: getattr(encounter, name) for name in Encounter.SERVICE_FIELDS},
        "has_note": bool(encounter.note),
        "supplies": {
            str(item_id): quantity
            for item_id, quantity in encounter.supplies.order_by("item_id").values_list(
                "item_id", "quantity"
            )
        },
        "referral_kinds": follow_ups.referral_kinds_at(encounter),
    }


def _check_corrected(*, by: User, encounter: Encounter, before: dict, changes: dict) -> None:
    """The rules of record_encounter, for the fields that changed."""
    if "occurred_at" in changes and encounter.occurred_at.isoformat() != before["occurred_at"]:
        _check_time(by=by, occurred_at=encounter.occurred_at)
    participant = encounter.participant
    # Checked only when it changed: a participant forgotten since keeps their past encounters,
    # which stay correctable in every other field.
    if (
        "participant" in changes
        and participant is not None
        and participant.public_id != before["participant"]
        and (participant.program_id != by.program_id or participant.anonymised_at is not None)
    ):
        raise EncounterError(_("No such participant in your program."), field="participant")
    if encounter.location.program_id != by.program_id:
        raise EncounterError(_("No such location in your program."), field="location")
    if encounter.kind not in Encounter.Kind.values:
        raise EncounterError(_("Choose what kind of encounter this was."), field="kind")
    if changes.get("note") and not by.program.encounter_notes_enabled:
        raise EncounterError(_("Notes are turned off for this program."), field="note")
    reports = encounter.reversal_reports.count()  # filed at it: each one of its reversals
    if encounter.overdose_reversals_reported < reports:
        raise EncounterError(
            _("%(count)d reversal reports were filed at this encounter; it counts at least those.")
            % {"count": reports},
            field="overdose_reversals_reported",
        )


@sensitive_variables("changes")
@transaction.atomic
def correct_encounter(
    *,
    by: User,
    encounter: Encounter,
    reason: str,
    changes: dict[str, object],
    supplies: list[SupplyLine] | None = None,
    referral_kinds: list[str] | None = None,
) -> Encounter:
    """Change any field of an encounter, its supplies and its referrals, as one action.

    `changes` maps names of CORRECTABLE_FIELDS to new values; `supplies` and `referral_kinds`,
    when given, replace the whole lists. Stock is given back and taken again (from the new
    location) in this transaction: a correction the stock cannot cover is refused whole.
    """
    encounter = _locked_for_change(by=by, encounter=encounter, reason=reason)
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise EncounterError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    before = _snapshot(encounter)
    note_before = encounter.note
    for name, value in changes.items():
        setattr(encounter, name, value)
    _check_corrected(by=by, encounter=encounter, before=before, changes=changes)

    current = [SupplyLine(line.item, line.quantity) for line in encounter.supplies.all()]
    if supplies is not None:
        supplies = [line for line in supplies if line.quantity != 0]
        new_lines = {(line.item.pk, line.quantity) for line in supplies}
        if new_lines != {(line.item.pk, line.quantity) for line in current}:
            # Lines kept as they were pass even if their item has left the catalogue since.
            unchanged = {(line.item.pk, line.quantity) for line in current}
            _check_supplies(
                [line for line in supplies if (line.item.pk, line.quantity) not in unchanged],
                by.program_id,
            )
            seen = set()
            for line in supplies:
                if line.item.pk in seen:
                    raise EncounterError(
                        _("%(item)s is listed twice.") % {"item": line.item}, field="supplies"
                    )
                seen.add(line.item.pk)
        else:
            supplies = None
    lines = current if supplies is None else supplies
    _check_refill(encounter.naloxone_refill_reason, lines)
    kinds_now = before["referral_kinds"]
    kinds = kinds_now if referral_kinds is None else sorted(set(referral_kinds))
    if kinds and encounter.participant is None:
        raise EncounterError(
            _("A referral needs a participant: find them, or take the referral off."),
            field="referral_kinds",
        )

    encounter.save()
    location_moved = encounter.location_id != before["location"]
    if supplies is not None or (location_moved and lines):
        supplies_services.return_encounter_supplies(
            by=by, encounter=encounter, reason=_("Encounter corrected")
        )
        encounter.supplies.all().delete()
        if lines:
            _hand_out(by=by, encounter=encounter, supplies=lines)
    follow_ups.withdraw_referrals(
        by=by, encounter=encounter, kinds=[kind for kind in kinds_now if kind not in kinds]
    )
    follow_ups.follow_encounter(by=by, encounter=encounter)
    # Reversal reports filed at it name its participant (the reverse relation: no import).
    encounter.reversal_reports.exclude(participant_id=encounter.participant_id).update(
        participant=encounter.participant
    )
    for kind in kinds:
        if kind not in kinds_now:
            follow_ups.make_referral(by=by, encounter=encounter, kind=kind)
    after = _snapshot(encounter)
    if encounter.note != note_before:
        after["note_changed"] = True
    record_action(
        actor=by,
        action="participants.encounter.corrected",
        target=encounter,
        program=encounter.program,
        details={"reason": reason.strip(), "before": before, "after": after},
    )
    return encounter


@transaction.atomic
def void_encounter(*, by: User, encounter: Encounter, reason: str) -> Encounter:
    """Void an encounter: its stock comes back, its open referrals go, it leaves every measure
    and stays, marked, for managers to see."""
    encounter = _locked_for_change(by=by, encounter=encounter, reason=reason)
    before = _snapshot(encounter)
    supplies_services.return_encounter_supplies(
        by=by, encounter=encounter, reason=_("Encounter voided")
    )
    follow_ups.withdraw_referrals(by=by, encounter=encounter, kinds=before["referral_kinds"])
    encounter.voided_at = timezone.now()
    encounter.voided_by = by
    encounter.void_reason = reason.strip()[:280]
    encounter.save(update_fields=["voided_at", "voided_by", "void_reason"])
    record_action(
        actor=by,
        action="participants.encounter.voided",
        target=encounter,
        program=encounter.program,
        details={"reason": encounter.void_reason, "before": before},
    )
    return encounter
