"""One budget per person for asking whether a participant code exists, whatever the path: the
code search on the encounter screen, the enrolment page, the lookup and enrolment endpoints, an
encounter sent with a new participant, and each such item of an offline sync.

A code is made from a few answers (about 105 million codes with the default recipe), so anyone
who could ask freely could find who is enrolled. The per-minute limits of the pages and the API
slow a burst; this budget bounds the total: CODE_GUESS_BUDGET guesses in any CODE_GUESS_HOURS
(default 400 in 24 hours). A real day fits (150 enrolments and lookups synced at once after a
day without signal use 150), while enumerating the default code space at 400 a day takes about
720 years per account.

Counted in the database (one row per person and hour, `security.CodeGuessWindow`), not in the
cache, so the budget holds while Redis is down. Call `spend_code_guess` before the transaction
of the work it guards: the count is committed even when that work rolls back.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from security.models import CodeGuessWindow

DEFAULT_BUDGET = 400
DEFAULT_HOURS = 24


class CodeGuessBudgetSpent(DomainError):
    """This person has asked about codes as often as the budget allows for now."""


def budget() -> int:
    return getattr(settings, "CODE_GUESS_BUDGET", DEFAULT_BUDGET)


def window_hours() -> int:
    return getattr(settings, "CODE_GUESS_HOURS", DEFAULT_HOURS)


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _since(now: datetime) -> datetime:
    return _hour(now) - timedelta(hours=window_hours() - 1)


def guesses_left(user: User) -> int:
    """What the person may still ask in the current window."""
    now = timezone.now()
    used = (
        CodeGuessWindow.objects.filter(user=user, window_start__gte=_since(now)).aggregate(
            used=Sum("guesses")
        )["used"]
        or 0
    )
    return max(budget() - used, 0)


def spend_code_guess(*, user: User, field: str | None = None) -> None:
    """Count one code guess of `user`, or raise CodeGuessBudgetSpent (counted as refused) when
    the budget of the window is used up. Two queries: an upsert of this hour's row and the sum
    of the window; the upsert's row lock makes a person's parallel requests count in turn."""
    now = timezone.now()
    hour = _hour(now)
    row, _created = CodeGuessWindow.objects.get_or_create(user=user, window_start=hour)
    used = (
        CodeGuessWindow.objects.filter(user=user, window_start__gte=_since(now))
        .exclude(pk=row.pk)
        .aggregate(used=Sum("guesses"))["used"]
        or 0
    )
    # Taken only if the window still has room: a conditional UPDATE, never read-modify-write.
    taken = CodeGuessWindow.objects.filter(pk=row.pk, guesses__lt=max(budget() - used, 0)).update(
        guesses=F("guesses") + 1
    )
    if taken:
        return
    CodeGuessWindow.objects.filter(pk=row.pk).update(refused=F("refused") + 1)
    raise CodeGuessBudgetSpent(
        _(
            "You have looked up or enrolled by code answers %(count)d times in %(hours)d hours, "
            "the most allowed. Find people by their public id for now; a manager has been told."
        )
        % {"count": budget(), "hours": window_hours()},
        field=field,
    )


def refused_lately(program_id: int, *, since: datetime | None = None) -> QuerySet[User]:
    """People of the program whose code guesses were refused since `since` (default: the last
    window), for the managers' home page and digest."""
    since = since or _since(timezone.now())
    return User.objects.filter(
        program_id=program_id,
        pk__in=CodeGuessWindow.objects.filter(window_start__gte=since, refused__gt=0).values(
            "user_id"
        ),
    ).order_by("username")
