from celery import shared_task

from accounts.mail import MAIL_TASK_OPTIONS
from accounts.models import Program
from accounts.tasks import queue_for_each_program
from reports import services
from reports.measures import people


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


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def warm_participant_sets() -> int:
    """Every 15 minutes: one task per program, which builds its missing participant sets."""
    return queue_for_each_program(warm_program_participant_sets)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def warm_program_participant_sets(program_id: int) -> int:
    """The closed months and days a late or corrected encounter made the triggers forget,
    rebuilt before a manager or a report run waits for them; nothing to do most times."""
    program = Program.objects.filter(pk=program_id).first()
    if program is None or not people.sets_on():
        return 0
    return people.warm(program)
