from celery import shared_task

from community_log import reminders


@shared_task(acks_late=True)
def send_state_report_reminders() -> int:
    """Daily: one task per manager whose program has complaints still to report to the state."""
    managers = reminders.managers_to_remind()
    for manager_id in managers:
        send_state_report_reminder.delay(manager_id)
    return len(managers)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_state_report_reminder(manager_id: int) -> bool:
    return reminders.send_reminder(manager_id)
