"""Reads that may come from a read replica, and the database router that sends them there.

With `DATABASE_REPLICA_URL` set, settings add a "replica" database and name it in
`READ_REPLICA_ALIAS`. Nothing reads from it unless asked: the dashboard, funder report runs and
the encounter extract wrap their reads in `reading_from_replica()`. Writes always go to the
primary, and so do the reads of a person who has just saved something (for
`REPLICA_PIN_SECONDS` after any write of theirs, see `may_read_replica`), so nobody misses what
they just entered while the replica catches up.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from time import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

PRIMARY_UNTIL_SESSION_KEY = "reads_from_primary_until"
_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


def replica_alias() -> str | None:
    """The replica's database alias, or None when there is no replica."""
    alias = getattr(settings, "READ_REPLICA_ALIAS", None)
    return alias if alias and alias in settings.DATABASES else None


def read_alias() -> str:
    """Where a read made now goes: the replica inside `reading_from_replica()`, else primary."""
    alias = replica_alias()
    return alias if alias and _reading_from_replica.get() else DEFAULT_DB_ALIAS


@contextmanager
def reading_from_replica(enabled: bool = True) -> Iterator[None]:
    """Send the reads inside to the replica, if there is one and `enabled`."""
    token = _reading_from_replica.set(enabled)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


def mark_written(session) -> None:
    """Keep this person's reads on the primary for a while: they have just saved something."""
    session[PRIMARY_UNTIL_SESSION_KEY] = time() + getattr(settings, "REPLICA_PIN_SECONDS", 10)


def may_read_replica(request) -> bool:
    """Whether this request's reports may come from the replica (not just after a write)."""
    session = getattr(request, "session", None)
    until = session.get(PRIMARY_UNTIL_SESSION_KEY, 0) if session is not None else 0
    return time() >= until


class ReplicaRouter:
    """Reads inside `reading_from_replica()` go to the replica; everything else, every write
    and every migration to the primary."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
