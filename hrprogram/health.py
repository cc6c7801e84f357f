"""`/healthz`: whether the database, Redis and a Celery worker answer, and what is degraded.

The status code follows the database, Redis and the worker. The mail server, work waiting in
the outbox and rate limits failing open are reported beside them (`degraded` names each part
that is down) without turning the answer into a 503: the web keeps serving through them.

`/healthz?part=web` asks only about the web process and its database: the web container's own
health check, which must not fail because a worker is down (the worker has its own check).
"""

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts import outbox, service_status
from hrprogram.celery import app as celery_app
from security.ratelimit import CacheOutages

UP = "up"
DOWN = "down"
NOT_CONFIGURED = "not configured"
EAGER = "eager"
UNKNOWN = "unknown"
HEALTHY_STATES = {UP, NOT_CONFIGURED, EAGER}


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return DOWN
    return UP


def redis_status() -> str:
    if not settings.REDIS_URL:
        return NOT_CONFIGURED
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1
        )
        client.ping()
    except redis.RedisError:
        return DOWN
    return UP


def celery_status(*, broker_down: bool = False) -> str:
    """Ping the workers over the broker; costs up to one second when none answers.

    With the broker known to be down no worker can answer, so it is not asked (asking would
    wait for the connection to time out)."""
    if celery_app.conf.task_always_eager:
        return EAGER
    if broker_down:
        return DOWN
    try:
        replies = celery_app.control.ping(timeout=1.0)
    except Exception:
        return DOWN
    return UP if replies else DOWN


PARTS = ("web",)


def mail_status() -> str:
    """How the last email fared: down from a failure until the next success."""
    status = service_status.ServiceStatus.objects.filter(part=service_status.Part.MAIL).first()
    if status is None:
        return UNKNOWN
    return DOWN if status.failing_since is not None else UP


def degraded_details(database: str) -> dict:
    """The mail server, the outbox and the rate limits' cache failures (a few small queries)."""
    details: dict = {
        "rate_limit_cache_failures": CacheOutages.snapshot(),
    }
    if database != UP:
        return details
    try:
        waiting, oldest = outbox.waiting()
        details["mail"] = mail_status()
        details["outbox"] = {"waiting": waiting, "oldest_seconds": oldest}
    except Exception:
        details["mail"] = UNKNOWN
    return details


@require_safe
@never_cache
def healthz(request):
    part = request.GET.get("part")
    if part is not None and part not in PARTS:
        return JsonResponse(
            {"status": "unknown part", "error": f"Ask for part=web or no part, not {part!r}."},
            status=400,
        )
    database = database_status()
    checks = {"database": database}
    if part is None:
        redis_state = redis_status()
        broker_down = redis_state == DOWN and celery_app.conf.broker_url.startswith("redis")
        checks |= {"redis": redis_state, "celery": celery_status(broker_down=broker_down)}
    healthy = all(state in HEALTHY_STATES for state in checks.values())
    details = degraded_details(database)
    degraded = [part for part, state in checks.items() if state == DOWN]
    if details.get("mail") == DOWN:
        degraded.append("mail")
    if details.get("outbox", {}).get("waiting"):
        degraded.append("outbox")
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "checks": checks,
            "degraded": degraded,
            **details,
        },
        status=200 if healthy else 503,
    )
