"""Writes about who participants are: enrolment, profile, duplicates and merging."""

import secrets

from django.db import IntegrityError, transaction
from django.db.models import DO_NOTHING, Q
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from accounts.models import User
from audit.services import record_action
from core.errors import DomainError
from participants import codes, merging
from participants.models import Characteristic, MergedId, Participant, PossibleDuplicate

PUBLIC_ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud without doubt
PUBLIC_ID_LENGTH = 5


class ParticipantError(DomainError):
    """A change to a participant that cannot be made as asked."""


def new_public_id() -> str:
    return "HR-" + "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(PUBLIC_ID_LENGTH))


def _unused_public_id() -> str:
    while True:
        public_id = new_public_id()
        taken = Participant.objects.filter(public_id=public_id).exists()
        if not taken and not MergedId.objects.filter(public_id=public_id).exists():
            return public_id


def _merged_into(*, program_id: int, code_hash: str) -> Participant | None:
    """The participant that one enrolled with this code was merged into, if any."""
    merged = (
        MergedId.objects.filter(program_id=program_id, code_hash=code_hash)
        .select_related("participant")
        .first()
    )
    return merged.participant if merged is not None else None


def _set_characteristics(participant: Participant, answers: dict[str, list[str]]) -> None:
    participant.characteristics.all().delete()
    Characteristic.objects.bulk_create(
        Characteristic(participant=participant, question=question, value=value)
        for question, values in answers.items()
        for value in values
    )


@sensitive_variables("code", "profile", "characteristics")
@transaction.atomic
def enroll_participant(
    *,
    by: User,
    code: str,
    profile: dict | None = None,
    characteristics: dict[str, list[str]] | None = None,
) -> tuple[Participant, bool]:
    """Find the participant with this code in the user's program, or enrol a new one.

    Returns (participant, created). A new enrolment is checked for likely duplicates. Two
    requests with the same answers at once (a page and a phone's sync) give one participant:
    the second insert waits for the first, fails on the unique code, and returns the first's.
    """
    program = by.program
    code_hash = codes.code_hash(program.pk, code)
    existing = Participant.objects.filter(program=program, code_hash=code_hash).first() or (
        _merged_into(program_id=program.pk, code_hash=code_hash)
    )
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                program=program,
                code_hash=code_hash,
                public_id=_unused_public_id(),
                enrolled_by=by,
                **(profile or {}),
            )
    except IntegrityError:
        existing = Participant.objects.filter(program=program, code_hash=code_hash).first()
        if existing is None:
            raise
        return existing, False
    if characteristics:
        _set_characteristics(participant, characteristics)
    _flag_possible_duplicates(participant, code)
    record_action(
        actor=by, action="participants.participant.enrolled", target=participant, program=program
    )
    return participant, True


@sensitive_variables("code")
def _flag_possible_duplicates(participant: Participant, code: str) -> None:
    near = Q(code_hash__in=codes.near_code_hashes(participant.program_id, code))
    same_alias = Q(pk__in=[])
    if participant.alias and participant.birth_year:
        same_alias = Q(alias__iexact=participant.alias, birth_year=participant.birth_year)
    candidates = (
        Participant.objects.filter(program_id=participant.program_id)
        .filter(near | same_alias)
        .exclude(pk=participant.pk)
    )
    PossibleDuplicate.objects.bulk_create(
        [
            PossibleDuplicate(
                program_id=participant.program_id,
                participant=participant,
                other=other,
                reason=(
                    PossibleDuplicate.Reason.SAME_ALIAS_AND_YEAR
                    if participant.alias and other.alias.lower() == participant.alias.lower()
                    else PossibleDuplicate.Reason.NEAR_CODE
                ),
            )
            for other in candidates
        ],
        ignore_conflicts=True,
    )


@sensitive_variables("profile", "characteristics")
@transaction.atomic
def update_participant_profile(
    *,
    by: User,
    participant: Participant,
    profile: dict,
    characteristics: dict[str, list[str]],
) -> Participant:
    """Change the optional profile answers of a participant."""
    for field, value in profile.items():
        setattr(participant, field, value)
    participant.save(update_fields=list(profile))
    _set_characteristics(participant, characteristics)
    record_action(
        actor=by,
        action="participants.participant.updated",
        target=participant,
        program=participant.program,
    )
    return participant


@transaction.atomic
def merge_participants(*, by: User, keep: Participant, duplicate: Participant) -> Participant:
    """Move all history of `duplicate` onto `keep`, fill keep's empty answers, delete duplicate."""
    if keep.pk == duplicate.pk or keep.program_id != duplicate.program_id:
        raise ParticipantError(_("Only two different participants of one program can be merged."))
    # Both rows locked in one statement, in primary-key order: two opposite merges at once
    # wait for each other instead of deadlocking.
    locked = {
        participant.pk: participant
        for participant in Participant.objects.select_for_update()
        .filter(pk__in=[keep.pk, duplicate.pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise ParticipantError(_("One of the two participants was merged or deleted meanwhile."))
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    resolved = merging.resolve_pairs(by=by, keep=keep, duplicate=duplicate)
    moved = _move_history(keep=keep, duplicate=duplicate)
    filled = []
    answers = [field for field in Participant.PROFILE_FIELDS if not field.endswith("_declined")]
    for field in answers:
        if not getattr(keep, field) and getattr(duplicate, field):
            setattr(keep, field, getattr(duplicate, field))
            filled.append(field)
    if filled:
        keep.save(update_fields=filled)
    existing = set(keep.characteristics.values_list("question", "value"))
    Characteristic.objects.bulk_create(
        Characteristic(participant=keep, question=question, value=value)
        for question, value in duplicate.characteristics.values_list("question", "value")
        if (question, value) not in existing
    )
    record_action(
        actor=by,
        action="participants.participant.merged",
        target=keep,
        program=keep.program,
        details={
            "merged": duplicate.public_id,
            "encounters_moved": moved.get("encounters.encounter", 0),
            "moved": moved,
            "pairs_resolved": resolved,
        },
    )
    # The removed id and code still lead to the kept participant (the card in their pocket).
    MergedId.objects.create(
        program_id=keep.program_id,
        public_id=duplicate.public_id,
        code_hash=duplicate.code_hash,
        participant=keep,
    )
    duplicate.delete()
    return keep


def participant_relations() -> list:
    """Every foreign key to Participant, hidden ones (related_name="+") included."""
    return [
        field
        for field in Participant._meta.get_fields(include_hidden=True)
        if field.auto_created and not field.concrete and (field.one_to_many or field.one_to_one)
    ]


def _move_history(*, keep: Participant, duplicate: Participant) -> dict[str, int]:
    """Point every row that refers to `duplicate` at `keep`; {model label: rows moved}.

    The rows are found from the foreign keys to Participant, so the apps above (encounters,
    referrals, training...) are neither imported nor forgotten. Tables kept by the database's
    triggers (DO_NOTHING) follow the encounters they summarise.
    """
    moved = {}
    for relation in participant_relations():
        model = relation.related_model
        if model in (Characteristic, PossibleDuplicate) or relation.on_delete is DO_NOTHING:
            continue
        name = relation.field.name
        count = model._base_manager.filter(**{name: duplicate}).update(**{name: keep})
        if count:
            moved[model._meta.label_lower] = count
    return moved


@transaction.atomic
def dismiss_possible_duplicate(*, by: User, duplicate: PossibleDuplicate) -> None:
    """A manager checked the pair: they are two different people."""
    duplicate.dismissed = True
    duplicate.save(update_fields=["dismissed"])
    record_action(
        actor=by,
        action="participants.duplicate.dismissed",
        target=duplicate,
        program=duplicate.program,
    )
