"""Daily digests are sent at most once per recipient and day, however often the task runs."""

from collections.abc import Callable

from django.db import IntegrityError, models, transaction


def send_once(*, marker: type[models.Model], send: Callable[[], None], **key) -> bool:
    """Write the marker row for `key` (unique), then send, in one transaction.

    A retry or a second beat finds the marker and sends nothing; a failed send rolls the
    marker back so the next run tries again. Returns whether this call sent.
    """
    try:
        with transaction.atomic():
            marker.objects.create(**key)
            send()
    except IntegrityError:
        return False
    return True
