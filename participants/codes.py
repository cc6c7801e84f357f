"""Participant codes as stored: a keyed hash (HMAC with a server secret), so the database
alone does not reveal them, and the hashes of near codes that find likely duplicates."""

import hashlib
import hmac

from django.conf import settings
from django.views.decorators.debug import sensitive_variables

from accounts.code_recipes import CODE_ALPHABET


def _secret() -> bytes:
    return settings.PARTICIPANT_CODE_SECRET.encode()


@sensitive_variables("code")
def code_hash(program_id: int, code: str) -> str:
    """The keyed hash stored in place of the code; the program id keeps programs apart."""
    return hmac.new(_secret(), f"{program_id}:{code}".encode(), hashlib.sha256).hexdigest()


def one_character_variants(code: str) -> set[str]:
    """Every code that differs from `code` in exactly one position."""
    return {
        code[:position] + replacement + code[position + 1 :]
        for position, current in enumerate(code)
        for replacement in CODE_ALPHABET
        if replacement != current
    }


@sensitive_variables()
def near_code_hashes(program_id: int, code: str) -> set[str]:
    """Hashes of the one-character variants: finds likely duplicates without storing codes."""
    return {code_hash(program_id, variant) for variant in one_character_variants(code)}
