from celery import shared_task

from supplies import alerts


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_stock_alert_digests() -> int:
    """Daily: one email per program to its managers, listing low stock and expiring naloxone."""
    return alerts.send_stock_alert_digests()
