import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrprogram.settings")

app = Celery("hrprogram")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def redact_participant_data_in_worker_logs(logger, **kwargs):
    """A worker swaps Django's log handlers for its own; they get the same redacting filter."""
    from security.redaction import RedactParticipantData

    for handler in logger.handlers:
        if not any(isinstance(f, RedactParticipantData) for f in handler.filters):
            handler.addFilter(RedactParticipantData())
