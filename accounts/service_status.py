"""Whether the worker and the mail server are working, as seen from the database.

The web cannot ask a mail server or the worker directly on every page, so each records how it
fares: a mail send records success or failure (accounts/mail.py), the worker records that it
ran (the outbox sweep every minute and its start, accounts/tasks.py). The manager's home page
warns once a part has been failing or silent for longer than DOWN_AFTER.
"""

from datetime import timedelta

from django.utils import timezone

from accounts.models import ServiceStatus

DOWN_AFTER = timedelta(minutes=5)

Part = ServiceStatus.Part


def record_ok(part: str) -> None:
    """`part` just worked: it is not failing (one UPDATE, or an INSERT the first time)."""
    ServiceStatus.objects.update_or_create(
        part=part, defaults={"last_ok_at": timezone.now(), "failing_since": None}
    )


def record_failure(part: str, error: Exception) -> None:
    """`part` just failed; it has been failing since its first failure after its last success."""
    now = timezone.now()
    status, _created = ServiceStatus.objects.get_or_create(part=part)
    ServiceStatus.objects.filter(pk=status.pk, failing_since__isnull=True).update(failing_since=now)
    ServiceStatus.objects.filter(pk=status.pk).update(last_error=repr(error)[:500])


def parts_down(*, longer_than: timedelta = DOWN_AFTER) -> list[ServiceStatus]:
    """The parts failing, or (the worker) silent, for longer than `longer_than`.

    The worker counts as down once it last ran longer ago than that (it runs the outbox sweep
    every minute); never having run says nothing (a new install, or eager mode).
    """
    cutoff = timezone.now() - longer_than
    down = []
    for status in ServiceStatus.objects.order_by("part"):
        failing = status.failing_since is not None and status.failing_since <= cutoff
        silent = (
            status.part == Part.WORKER
            and status.last_ok_at is not None
            and status.last_ok_at <= cutoff
        )
        if failing or silent:
            down.append(status)
    return down
