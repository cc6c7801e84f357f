from celery import shared_task

from accounts.mail import MAIL_TASK_OPTIONS
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
    """Daily: queue the scheduled runs due today, once per definition and period."""
    return services.enqueue_due_runs()
