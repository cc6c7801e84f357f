"""The one base of the domain errors every app's services raise, and how to tell a lost
database connection from an error of one statement."""

from django.db import InterfaceError, OperationalError


class DomainError(Exception):
    """An action that cannot be done as asked, with a message the person can read; `field`
    names the input at fault where there is one. Pages show it as a form error, the API as a
    400 (or 409 for stock) with `{field: [message]}`."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# SQLSTATE classes of a database that went away: 08 connection exception; 57P01-57P03 the
# server shutting down or starting up.
_CONNECTION_LOST_STATES = ("08", "57P01", "57P02", "57P03")


def database_connection_lost(error: BaseException) -> bool:
    """Whether `error` says the database connection is gone (a restart, a network drop), as
    opposed to one statement failing (a deadlock, a constraint): every later query of the
    request would fail too, so there is no point going on with the rest of the work.

    The driver's error behind Django's carries the SQLSTATE; a connection that dropped has none.
    """
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    state = getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)
    return state is None or state.startswith(_CONNECTION_LOST_STATES)
