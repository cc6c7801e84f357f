"""What every beat task that works per program does first (fan out one task per program), and
the outbox sweep."""

from celery import Task, shared_task

from accounts import daily_jobs, outbox, password_reset, service_status
from accounts.mail import MAIL_TASK_OPTIONS
from accounts.models import Program


def queue_for_each_program(task: Task) -> int:
    """Queue `task(program_id)` once per program, after commit; returns how many programs.

    Each program's work then runs in its own task, on the program's own date, and a failure
    in one program retries that program alone. A daily job uses
    `daily_jobs.queue_daily_for_each_program` instead, which the sweep can catch up.
    """
    program_ids = list(Program.objects.order_by("pk").values_list("pk", flat=True))
    for program_id in program_ids:
        _queue(task, program_id)
    return len(program_ids)


def _queue(task: Task, program_id: int) -> None:
    outbox.queue_after_commit(task, program_id)


@shared_task(acks_late=True)
def publish_waiting_tasks() -> int:
    """Every minute: hand the broker the outbox's waiting tasks, and send again a daily job the
    beat could not send at its time; also proves the worker runs.

    Safe to run twice (a row handed over is marked, a daily job runs once a program-date);
    returns how many waiting tasks it handed over.
    """
    service_status.record_ok(service_status.Part.WORKER)
    published = outbox.publish_waiting()
    daily_jobs.catch_up_missed()
    return published


@shared_task(**MAIL_TASK_OPTIONS)
def send_password_reset_email(reset_id: int, domain: str, use_https: bool) -> bool:
    """One "forgot your password" email; safe to run twice (sends once)."""
    return password_reset.send_password_reset_email(
        reset_id=reset_id, domain=domain, use_https=use_https
    )
