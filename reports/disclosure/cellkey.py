"""The cell-key method (Australian Bureau of Statistics): the noise added to one published
count.

Each participant and each encounter has a record key (a hash of its id, computed in the
database: keys.py). A cell's key is the sum of the record keys of the records it counts, so
the same people give the same cell key in whatever table, breakdown or period they are
counted. The noise is read from a keyed hash (HMAC-SHA256 with REPORT_DISCLOSURE_KEY) of the
count and its cell key, through a fixed table of probabilities: the same cell published twice
gets the same noise, so asking again or averaging overlapping releases of the same people
gains nothing, and without the key nobody can tell the noise of a cell.
"""

import hashlib
import hmac

from django.conf import settings

DEFAULT_THRESHOLD = 10
# The noise and the chance of each value: at most MOST_NOISE from the truth, none half the time.
NOISE = ((-2, 0.1), (-1, 0.2), (0, 0.4), (1, 0.2), (2, 0.1))
MOST_NOISE = max(abs(value) for value, _chance in NOISE)


def threshold() -> int:
    """Counts from 1 to this are never published as a number (default 10)."""
    return int(getattr(settings, "REPORT_SUPPRESSION_THRESHOLD", DEFAULT_THRESHOLD))


def _key() -> bytes:
    secret = settings.REPORT_DISCLOSURE_KEY
    return secret.encode()


def noise(identity: str) -> int:
    """The noise of the cell `identity` (its count and cell key): the same every time."""
    digest = hmac.new(_key(), identity.encode(), hashlib.sha256).digest()
    position = int.from_bytes(digest[:8], "big") / 2**64
    reached = 0.0
    for value, chance in NOISE:
        reached += chance
        if position < reached:
            return value
    return NOISE[-1][0]


def perturbed(count: int, identity: str) -> int:
    """The count with the noise of its cell (never below zero)."""
    return max(0, count + noise(f"{count}|{identity}"))
