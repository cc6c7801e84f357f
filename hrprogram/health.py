"""`/healthz`: whether the database, Redis and a Celery worker answer.

`/healthz?part=web` asks only about the web process and its database: the web container's own
health check, which must not fail because a worker is down (the worker has its own check).
"""

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from hrprogram.celery import app as celery_app

UP = "up"
DOWN = "down"
NOT_CONFIGURED = "not configured"
EAGER = "eager"
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


def celery_status() -> str:
    """Ping the workers over the broker; costs up to one second when none answers."""
    if celery_app.conf.task_always_eager:
        return EAGER
    try:
        replies = celery_app.control.ping(timeout=1.0)
    except Exception:
        return DOWN
    return UP if replies else DOWN


PARTS = ("web",)


@require_safe
@never_cache
def healthz(request):
    part = request.GET.get("part")
    if part is not None and part not in PARTS:
        return JsonResponse(
            {"status": "unknown part", "error": f"Ask for part=web or no part, not {part!r}."},
            status=400,
        )
    checks = {"database": database_status()}
    if part is None:
        checks |= {"redis": redis_status(), "celery": celery_status()}
    healthy = all(state in HEALTHY_STATES for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
