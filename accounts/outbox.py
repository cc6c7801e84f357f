"""Work for the worker is never lost to a broker outage: a transactional outbox.

A service that needs the worker calls `queue_after_commit(task, *args)` inside its transaction.
That writes a `QueuedTask` row in the same transaction as the change (a report run asked for,
an email decided), and after commit hands the task to the broker. If the broker is down the
hand-over fails fast (short timeouts, one quick retry), is logged, and the row stays
unpublished; the request that caused it still succeeds. `publish_waiting` (every minute from
beat, and when a worker starts) hands over what is still waiting, oldest first.

A row may be handed over twice (the sweep and a slow commit hook at the same moment); every
task is idempotent, so the work is still done once. It lives in accounts, the bottom app with
models, so every app can use it without importing anything above it.
"""

import logging
from datetime import timedelta

from celery import Task, current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import KombuError
from kombu.exceptions import OperationalError as BrokerError

from accounts.models import QueuedTask

logger = logging.getLogger(__name__)

# What handing a task to a broker that is down raises.
PUBLISH_ERRORS = (BrokerError, KombuError, ConnectionError, OSError, TimeoutError)
# A request must not wait for a broker that is down: one quick retry, then the outbox keeps it.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
# The sweep leaves alone rows younger than this: their own commit hook is handing them over.
SWEEP_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 500


def queue_after_commit(task: Task, *args) -> QueuedTask:
    """Record `task(*args)` in the outbox now and hand it to the broker after commit."""
    queued = QueuedTask.objects.create(task_name=task.name, args=list(args))
    transaction.on_commit(lambda: publish(queued.pk))
    return queued


def publish(queued_id: int) -> bool:
    """Hand one outbox row to the broker unless it was already; returns whether this call did.

    A broker error is logged and counted on the row, never raised: the sweep tries again.
    (In eager mode, where the task runs here, what the task raises propagates as before.)
    """
    queued = QueuedTask.objects.filter(pk=queued_id, published_at__isnull=True).first()
    if queued is None:
        return False
    return _hand_over(queued)


def task_named(name: str) -> Task:
    """The registered task called `name`, importing every app's tasks first if need be (a
    worker imports them at start; a web process only those its code has used)."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def _hand_over(queued: QueuedTask) -> bool:
    task = task_named(queued.task_name)
    try:
        task.apply_async(
            args=queued.args,
            ignore_result=True,  # a result consumer would open another connection to Redis
            retry=True,
            retry_policy=PUBLISH_RETRY_POLICY,
        )
    except PUBLISH_ERRORS as error:
        QueuedTask.objects.filter(pk=queued.pk).update(
            attempts=F("attempts") + 1, last_error=repr(error)[:500]
        )
        logger.warning("broker unreachable, %s stays in the outbox: %r", queued, error)
        return False
    QueuedTask.objects.filter(pk=queued.pk, published_at__isnull=True).update(
        published_at=timezone.now()
    )
    return True


def publish_waiting(*, grace: timedelta = SWEEP_GRACE) -> int:
    """Hand over every outbox row still waiting (older than `grace`), oldest first; returns how
    many went. Stops at the first broker error: the broker is down, the next sweep tries."""
    published = 0
    while True:
        with transaction.atomic():
            batch = list(
                QueuedTask.objects.select_for_update(skip_locked=True)
                .filter(published_at__isnull=True, created_at__lte=timezone.now() - grace)
                .order_by("created_at", "pk")[:SWEEP_BATCH]
            )
            for queued in batch:
                if not _hand_over(queued):
                    return published
                published += 1
        if len(batch) < SWEEP_BATCH:
            return published


def waiting(*, older_than: timedelta = SWEEP_GRACE) -> tuple[int, float | None]:
    """How many outbox rows wait longer than `older_than`, and the oldest one's age in seconds."""
    rows = QueuedTask.objects.filter(
        published_at__isnull=True, created_at__lte=timezone.now() - older_than
    )
    oldest = rows.order_by("created_at").values_list("created_at", flat=True).first()
    age = (timezone.now() - oldest).total_seconds() if oldest else None
    return rows.count(), age
