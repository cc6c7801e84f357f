from celery import shared_task

from accounts.mail import MAIL_TASK_OPTIONS
from accounts.tasks import queue_for_each_program
from reports import services


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def build_report_run(run_id: int) -> str:
    """Build one report run's files and publish it; safe to run twice (see services.build_run)."""
    return services.build_run(run_id)


@shared_task(**MAIL_TASK_OPTIONS)
def send_report_ready_email(run_id: int, recipient_id: int) -> bool:
    """One recipient's "report ready" email of a published run; safe to run twice (sends once)."""
    return services.send_ready_email(run_id=run_id, recipient_id=recipient_id)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def enqueue_scheduled_report_runs() -> int:
    """Hourly: one task per program, which queues its scheduled runs due on its today."""
    return queue_for_each_program(enqueue_program_report_runs)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def enqueue_program_report_runs(program_id: int) -> int:
    """The program's scheduled runs due today, once per definition and period."""
    return services.enqueue_due_runs(program_id=program_id)
