import logging
import os
from datetime import timedelta

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger, worker_ready

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


@worker_ready.connect
def publish_what_waited_for_the_worker(**kwargs):
    """A worker that starts hands the broker at once what the outbox kept while it was away,
    and sends again the daily jobs the beat could not send meanwhile."""
    from accounts import daily_jobs, outbox, service_status

    try:
        service_status.record_ok(service_status.Part.WORKER)
        outbox.publish_waiting(grace=timedelta(0))
        daily_jobs.catch_up_missed()
    except Exception:  # the beat's sweep tries again within a minute
        logging.getLogger(__name__).exception("outbox sweep at worker start failed")
