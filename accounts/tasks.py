"""What every daily beat task does first: fan out one task per program."""

from celery import Task
from django.db import transaction

from accounts.models import Program


def queue_for_each_program(task: Task) -> int:
    """Queue `task(program_id)` once per program, after commit; returns how many programs.

    Each program's work then runs in its own task, on the program's own date, and a failure
    in one program retries that program alone.
    """
    program_ids = list(Program.objects.order_by("pk").values_list("pk", flat=True))
    for program_id in program_ids:
        _queue(task, program_id)
    return len(program_ids)


def _queue(task: Task, program_id: int) -> None:
    transaction.on_commit(lambda: task.delay(program_id))
