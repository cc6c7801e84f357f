"""Referrals made at an encounter, without encounters importing the referrals app above it.

The referrals app registers its maker in its AppConfig.ready(); the encounter screen, the API and
`record_encounter` reach it only through here. With no maker registered an encounter offers no
referrals.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ReferralMaker:
    # [(kind, label)] offered on the encounter screen and accepted by the API.
    choices: Callable[[], list[tuple[str, str]]]
    # make(by=, encounter=, kind=) inside the encounter's transaction; raises a DomainError.
    make: Callable[..., None]


_maker: ReferralMaker | None = None


def register_referral_maker(maker: ReferralMaker) -> None:
    global _maker
    _maker = maker


def referral_choices() -> list[tuple[str, str]]:
    return _maker.choices() if _maker else []


def make_referral(*, by, encounter, kind: str) -> None:
    if _maker is None:
        raise LookupError("No referral maker is registered (is the referrals app installed?)")
    _maker.make(by=by, encounter=encounter, kind=kind)
