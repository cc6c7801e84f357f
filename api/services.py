"""Writes of the API: tokens, and recording encounters (one, or a queued batch) through the
participants' services, so the API moves stock exactly as the encounter screen does."""

import secrets
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from accounts.models import User
from api.exceptions import domain_error_response, flatten_errors
from api.lookups import Lookups
from api.models import ApiToken, token_hash
from api.serializers import EncounterInSerializer
from audit.services import record_action
from encounters import services as encounter_services
from encounters.models import Encounter
from participants import selectors as participant_selectors
from participants import services as participant_services
from participants.models import Participant

TOKEN_PREFIX = "hrp_"  # noqa: S105 - a marker that makes leaked tokens easy to find
SHOWN_PREFIX_LENGTH = 12


class TokenError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- Tokens -----------------------------------------------------------------------------------


@transaction.atomic
def create_token(*, by: User, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token acting as `user`; returns it with the plain token, which is never stored."""
    if not by.is_manager or user.program_id != by.program_id or not user.is_program_staff:
        raise TokenError(_("Tokens are made by a manager, for staff of their own program."))
    name = name.strip()
    if not name:
        raise TokenError(_("Say what the token is for."))
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name,
        user=user,
        prefix=plain[:SHOWN_PREFIX_LENGTH],
        key_hash=token_hash(plain),
        created_by=by,
    )
    record_action(
        actor=by,
        action="api.token.created",
        target=token,
        program=by.program,
        details={"name": name, "user": user.username},
    )
    return token, plain


@transaction.atomic
def revoke_token(*, by: User, token: ApiToken) -> ApiToken:
    """Stop a token working from now on; revoking twice changes nothing."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if not by.is_manager or token.user.program_id != by.program_id:
        raise TokenError(_("No such token in your program."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_action(
            actor=by,
            action="api.token.revoked",
            target=token,
            program=by.program,
            details={"name": token.name, "user": token.user.username},
        )
    return token


# --- Encounters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedEncounter:
    encounter: Encounter
    created: bool
    participant_enrolled: bool


def _enroll(*, by: User, enrolment: dict) -> tuple[Participant, bool]:
    try:
        with transaction.atomic():
            return participant_services.enroll_participant(
                by=by,
                code=enrolment["code"],
                profile=enrolment["profile_fields"],
                characteristics=enrolment["characteristics"],
            )
    except IntegrityError:
        # The same person was enrolled by another request at this moment: use them.
        participant = participant_selectors.participant_with_code(by, enrolment["code"])
        if participant is None:
            raise
        return participant, False


def _stored(*, by: User, encounter_id) -> Encounter | None:
    """The encounter already stored under this id, if any; another program's is an error."""
    existing = Encounter.objects.filter(pk=encounter_id).select_related("participant").first()
    if existing is not None and existing.program_id != by.program_id:
        raise encounter_services.EncounterError(
            _("This encounter id is already used."), field="encounter_id"
        )
    return existing


@transaction.atomic
def record_encounter_from_api(
    *, by: User, data: dict, queued_offline: bool = False, known_new: bool = False
) -> RecordedEncounter:
    """Enrol the new participant if the data brings one, then record the encounter, all or
    nothing. A stored id returns the stored encounter: no enrolment, no stock moved.

    `known_new`: the caller has just looked the id up (a sync batch does, for all its items in
    one query), so the lookup is not repeated; the service still catches a concurrent twin.
    """
    encounter_id = data.get("id") or uuid.uuid4()
    existing = None if known_new else _stored(by=by, encounter_id=encounter_id)
    if existing is not None:
        return RecordedEncounter(existing, created=False, participant_enrolled=False)
    participant, enrolled = data.get("participant"), False
    if data.get("new_participant"):
        participant, enrolled = _enroll(by=by, enrolment=data["new_participant"])
    encounter, created = encounter_services.record_encounter(
        by=by,
        encounter_id=encounter_id,
        participant=participant,
        location=data["location"],
        kind=data["kind"],
        occurred_at=data.get("occurred_at"),
        supplies=data["supply_lines"],
        syringes_collected=data["syringes_collected"],
        secondary_distribution_for=data["secondary_distribution_for"],
        overdose_reversals_reported=data["overdose_reversals_reported"],
        services=data["services"],
        referral_kinds=data.get("referral_kinds") or [],
        note=data.get("note", ""),
        queued_offline=queued_offline,
    )
    return RecordedEncounter(encounter, created, participant_enrolled=enrolled and created)


def _result(item_id, status: str, errors=None, encounter=None, enrolled=False) -> dict:
    participant = encounter.participant if encounter is not None else None
    return {
        "id": item_id,
        "status": status,
        "errors": errors or {},
        "participant_public_id": participant.public_id if participant else None,
        "participant_enrolled": enrolled,
    }


def _raw_id(raw: dict) -> str | None:
    value = raw.get("id")
    return value if isinstance(value, str) and value else None


def _parse_uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def sync_encounters(*, by: User, items: list[dict], request) -> list[dict]:
    """Record a queue of encounters made offline, each on its own: one bad item rejects only
    itself (its transaction rolls back: no encounter, no stock movement, no enrolment) and never
    the others.

    Returns one result per item, in order: created, exists (already stored: nothing new) or
    rejected with the errors by field. Costs one query for the ids already stored, one for the
    participants named, and then what the encounter service costs per new item.
    """
    lookups = Lookups(by)
    lookups.prefetch_participants(
        {raw["participant"] for raw in items if isinstance(raw.get("participant"), str)}
    )
    ids = {parsed for raw in items if (parsed := _parse_uuid(_raw_id(raw)))}
    stored = {
        encounter.pk: encounter
        for encounter in Encounter.objects.filter(pk__in=ids)
        .select_related("participant")
        .only("id", "program_id", "participant__public_id")
    }
    # One serializer checks every item in turn: building one per item costs more than the check.
    checker = EncounterInSerializer(context={"request": request, "lookups": lookups}, queued=True)
    return [_sync_one(by=by, raw=raw, stored=stored, checker=checker) for raw in items]


def _sync_one(*, by: User, raw: dict, stored: dict, checker: EncounterInSerializer) -> dict:
    item_id = _raw_id(raw)
    parsed = _parse_uuid(item_id)
    if parsed in stored:
        encounter = stored[parsed]
        if encounter.program_id != by.program_id:
            return _result(item_id, "rejected", {"id": [_("This encounter id is already used.")]})
        return _result(str(parsed), "exists", encounter=encounter)
    try:
        data = checker.run_validation(raw)
    except ValidationError as error:
        return _result(item_id, "rejected", flatten_errors(error.detail))
    item_id = str(data["id"])
    try:
        recorded = record_encounter_from_api(by=by, data=data, queued_offline=True, known_new=True)
    except Exception as error:
        response = domain_error_response(error)
        if response is None:
            raise
        return _result(item_id, "rejected", response.data)
    # The same id may come again later in the batch: it is there now.
    stored[recorded.encounter.pk] = recorded.encounter
    return _result(
        item_id,
        "created" if recorded.created else "exists",
        encounter=recorded.encounter,
        enrolled=recorded.participant_enrolled,
    )
