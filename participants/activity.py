"""How the apps above participants take part in retention: an app whose rows show that someone
was seen registers a query for it, and an app that keeps free text about a participant registers
an eraser; the app that records visits also says whom a worker saw last (the API's recent list).
Registered in those apps' AppConfig.ready(); participants never imports them."""

from collections.abc import Callable
from datetime import datetime

from django.db.models import Exists, QuerySet

from accounts.models import User
from participants.models import Participant

# seen_since(cutoff) -> a queryset of rows filtered on participant=OuterRef("pk"), for Exists().
_seen_since: list[Callable[[datetime], QuerySet]] = []
# erase_free_text(participant_ids) clears notes written about these participants.
_free_text_erasers: list[Callable[[list[int]], None]] = []
# recently_seen_by(user) -> the participants this worker saw most recently, most recent first.
_recently_seen_by: Callable[[User], list[Participant]] | None = None


def register_seen_since(query: Callable[[datetime], QuerySet]) -> None:
    if query not in _seen_since:
        _seen_since.append(query)


def register_free_text_eraser(eraser: Callable[[list[int]], None]) -> None:
    if eraser not in _free_text_erasers:
        _free_text_erasers.append(eraser)


def register_recently_seen_by(query: Callable[[User], list[Participant]]) -> None:
    global _recently_seen_by
    _recently_seen_by = query


def seen_since(cutoff: datetime) -> list[Exists]:
    """One Exists() per registered kind of activity, each on an OuterRef to the participant."""
    return [Exists(query(cutoff)) for query in _seen_since]


def erase_free_text(participant_ids: list[int]) -> None:
    for eraser in _free_text_erasers:
        eraser(participant_ids)


def recently_seen_by(user: User) -> list[Participant]:
    """The participants this worker saw most recently; nobody if no app records visits."""
    return _recently_seen_by(user) if _recently_seen_by else []
