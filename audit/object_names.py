"""How the log names the objects of the apps above it ("HR-7K3QX", not a row number).

Those apps register a namer in their AppConfig.ready(); audit sits at the bottom and imports
none of them.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ObjectNamer:
    object_type: str  # the model's label_lower, as entries store it: "participants.participant"
    # names(user, row ids) -> {row id: name} for what the user may see; one query.
    names: Callable[..., dict[str, str]]
    # A typed name that this namer reads (e.g. "HR-..."), and the row id it names or None.
    reads: Callable[[str], bool]
    find: Callable[..., str | None]
    not_found: str  # the form's message when a typed name names nothing


_namers: dict[str, ObjectNamer] = {}


def register_namer(namer: ObjectNamer) -> None:
    _namers[namer.object_type] = namer


def names_of(user, entries) -> dict[tuple[str, str], str]:
    """{(object type, row id): name} for the entries shown; a query per named type."""
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        if entry.object_type in _namers:
            wanted.setdefault(entry.object_type, set()).add(entry.object_id)
    return {
        (object_type, object_id): name
        for object_type, ids in wanted.items()
        for object_id, name in _namers[object_type].names(user, ids).items()
    }


def namer_reading(text: str) -> ObjectNamer | None:
    """The namer whose names look like `text`, if any."""
    return next((namer for namer in _namers.values() if namer.reads(text)), None)
