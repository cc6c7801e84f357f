"""How the apps above participants take part in a merge: rows that would become a duplicate
pair once the duplicate's history points at the kept participant (two valid cards, two
attendances of one session) are resolved first by the app that owns them. Registered in those
apps' AppConfig.ready(); participants never imports them."""

from collections.abc import Callable

from accounts.models import User
from participants.models import Participant

# resolve(by=, keep=, duplicate=) -> {what was resolved: rows}, inside the merge's transaction.
_pair_resolvers: list[Callable[..., dict[str, int]]] = []


def register_pair_resolver(resolver: Callable[..., dict[str, int]]) -> None:
    if resolver not in _pair_resolvers:
        _pair_resolvers.append(resolver)


def resolve_pairs(*, by: User, keep: Participant, duplicate: Participant) -> dict[str, int]:
    resolved: dict[str, int] = {}
    for resolver in _pair_resolvers:
        for what, count in resolver(by=by, keep=keep, duplicate=duplicate).items():
            if count:
                resolved[what] = resolved.get(what, 0) + count
    return resolved
