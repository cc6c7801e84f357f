"""Writes of the API: tokens, and the offline sync, which records each queued encounter as
POST /api/v1/encounters/ does (encounters.api), so it moves stock exactly as the
encounter screen does."""

import logging
import secrets
import uuid

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from accounts.models import User
from api.exceptions import NON_FIELD, domain_error_response, flatten_errors
from api.models import ApiToken, token_hash
from audit.services import record_action
from core.errors import database_connection_lost
from encounters.api import EncounterInSerializer, EncounterLookups, record_encounter_from_api
from encounters.models import Encounter
from security.code_guesses import CodeGuessBudgetSpent, spend_code_guess
from supplies.services import HandoutBatch

TOKEN_PREFIX = "hrp_"  # noqa: S105 - a marker that makes leaked tokens easy to find
SHOWN_PREFIX_LENGTH = 12

logger = logging.getLogger(__name__)
# Items of a sync batch stored per transaction, each in its own savepoint: one commit (a disk
# flush) per chunk instead of per item, while the stock rows of the location stay locked for
# one chunk's time only.
SYNC_CHUNK = 100


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


def revoke_tokens_of(*, by: User, user: User) -> int:
    """Revoke every token acting as `user` (they were deactivated); returns how many. Each
    revocation writes its own entry, in the caller's transaction."""
    with transaction.atomic():
        tokens = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True))
        for token in tokens:
            revoke_token(by=by, token=token)
    return len(tokens)


# --- Sync -------------------------------------------------------------------------------------


def _result(item_id, status: str, errors=None, encounter=None, enrolled=False, retry=False) -> dict:
    participant = encounter.participant if encounter is not None else None
    return {
        "id": item_id,
        "status": status,
        "errors": errors or {},
        "participant_public_id": participant.public_id if participant else None,
        "participant_enrolled": enrolled,
        "retry": retry,
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
    itself (its savepoint rolls back: no encounter, no stock movement, no enrolment) and never
    the others. Items are committed SYNC_CHUNK at a time.

    Returns one result per item, in order: created, exists (already stored: nothing new) or
    rejected with the errors by field. Costs one query for the ids already stored, one for the
    participants named, and then what the encounter service costs per new item.
    """
    lookups = EncounterLookups(by)
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
    results = []
    for start in range(0, len(items), SYNC_CHUNK):
        chunk = items[start : start + SYNC_CHUNK]
        answers: list[dict] = []
        try:
            with transaction.atomic():
                stock = HandoutBatch(
                    program_id=by.program_id,
                    location_ids={_location_id(raw) for raw in chunk}
                    & set(lookups.assigned_locations),
                )
                for raw in chunk:
                    answers.append(
                        _sync_in_savepoint(
                            by=by, raw=raw, stored=stored, checker=checker, stock=stock
                        )
                    )
                stock.write()
        except Exception as error:
            if database_connection_lost(error):
                raise  # nothing more can be stored: a 503 with Retry-After, every item queued
            # The chunk's commit failed: nothing of it is stored, so every item stays queued.
            logger.exception("A sync chunk failed to commit; its items were answered for retry.")
            for answer in answers:
                if answer["status"] == "created":
                    stored.pop(_parse_uuid(answer["id"]), None)
            answers = [_kept_for_retry(raw) for raw in chunk]
        results.extend(answers)
    return results


def _location_id(raw) -> int | None:
    """The location an item names, read as its serializer reads it (12 or "12"); None for any
    other shape, which the item's own check then refuses."""
    value = raw.get("location")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value.strip())
    return None


def _kept_for_retry(raw: dict) -> dict:
    return _result(
        _raw_id(raw),
        "rejected",
        {NON_FIELD: [_("This item could not be stored now; it is kept and sent again later.")]},
        retry=True,
    )


def _sync_in_savepoint(*, by: User, raw: dict, stored: dict, checker, stock) -> dict:
    """One item in its own savepoint: whatever goes wrong in it (even a bug of ours) rolls back
    only that item and answers it "rejected" with `retry`, so the phone keeps it queued and
    sends it again later, and the rest of the batch is answered as usual. Deferred constraints
    are checked before the savepoint ends, so no item can fail the commit of its chunk. A lost
    database connection is let through: every later item would fail the same way."""
    if isinstance(raw.get("new_participant"), dict) and _parse_uuid(_raw_id(raw)) not in stored:
        # Answers tell whether a code exists: one guess of the person's budget, counted before
        # the item's transaction; over budget, the item is refused and kept for later.
        try:
            spend_code_guess(user=by)
        except CodeGuessBudgetSpent as refused:
            return _result(
                _raw_id(raw), "rejected", {"new_participant": [refused.message]}, retry=True
            )
    mark = stock.mark()
    try:
        with transaction.atomic():
            answer = _sync_one(by=by, raw=raw, stored=stored, checker=checker, stock=stock)
            connection.check_constraints()
    except Exception as error:
        if database_connection_lost(error):
            raise
        logger.exception("A synced item failed unexpectedly; it was answered as kept for retry.")
        stock.give_back(mark)
        return _kept_for_retry(raw)
    if answer["status"] != "created":
        # Rejected by a domain error after its hand-out (its savepoint rolled back): the
        # stock it took goes back too.
        stock.give_back(mark)
    return answer


def _sync_one(
    *, by: User, raw: dict, stored: dict, checker: EncounterInSerializer, stock: HandoutBatch
) -> dict:
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
        recorded = record_encounter_from_api(
            by=by, data=data, queued_offline=True, known_new=True, stock_batch=stock
        )
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
