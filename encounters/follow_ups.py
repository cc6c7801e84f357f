"""Referrals made at an encounter, without encounters importing the referrals app above it.

The referrals app registers its maker in its AppConfig.ready(); the encounter screen, the API,
`record_encounter` and `correct_encounter` reach it only through here. With no maker registered
an encounter offers no referrals.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ReferralMaker:
    # [(kind, label)] offered on the encounter screen and accepted by the API.
    choices: Callable[[], list[tuple[str, str]]]
    # make(by=, encounter=, kind=) inside the encounter's transaction; raises a DomainError.
    make: Callable[..., None]
    # kinds_at(encounter) -> the kinds of the referrals made at it.
    kinds_at: Callable[..., list[str]] = lambda encounter: []
    # follow(by=, encounter=): its referrals take its participant and time after a correction.
    follow: Callable[..., None] = lambda **kwargs: None
    # withdraw(by=, encounter=, kinds=): remove those referrals made at it (a correction took
    # them off, or it was voided); raises a DomainError if one has been followed up since.
    withdraw: Callable[..., None] = lambda **kwargs: None


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


def referral_kinds_at(encounter) -> list[str]:
    return _maker.kinds_at(encounter) if _maker else []


def follow_encounter(*, by, encounter) -> None:
    if _maker is not None:
        _maker.follow(by=by, encounter=encounter)


def withdraw_referrals(*, by, encounter, kinds: list[str]) -> None:
    if _maker is not None and kinds:
        _maker.withdraw(by=by, encounter=encounter, kinds=kinds)
