"""A small per-person rate limit for pages that look participants up.

Counted in the cache (Redis in production, so every web process shares the counts).
Code questions have few possible answers; without a limit a stolen session could try them all.
"""

import time
from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from audit.middleware import client_ip


def _client(request) -> str:
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{client_ip(request) or ''}"


def hit(bucket: str, who: str) -> int | None:
    """Count one request in `bucket` for `who`; the seconds to wait if over the limit, else None.

    The window opens at a person's first request and lasts the bucket's period (two cache
    keys that expire together: the count and when it started).
    """
    limit, period = settings.RATE_LIMITS[bucket]
    now = time.time()
    key = f"ratelimit:{bucket}:{who}"
    cache.add(f"{key}:since", now, timeout=period)
    cache.add(f"{key}:count", 0, timeout=period)
    try:
        count = cache.incr(f"{key}:count")
    except ValueError:  # expired between add and incr: a new window
        cache.set(f"{key}:since", now, timeout=period)
        cache.set(f"{key}:count", 1, timeout=period)
        count = 1
    if count <= limit:
        return None
    since = cache.get(f"{key}:since", now)
    return max(1, int(since + period - now))


def rate_limited(bucket: str, *, methods: Iterable[str] | None = None) -> Callable:
    """Refuse a person's requests beyond settings.RATE_LIMITS[bucket] = (requests, seconds).

    Only requests with one of `methods` count (all if None). The refusal is a 429 with
    Retry-After and a message that says why and how long to wait; htmx requests get a
    fragment to show in place of the results.
    """
    counted = {method.upper() for method in methods} if methods else None

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if counted is None or request.method in counted:
                wait = hit(bucket, _client(request))
                if wait is not None:
                    template = (
                        "security/_rate_limited.html"
                        if request.headers.get("HX-Request")
                        else "security/rate_limited.html"
                    )
                    minutes = max(1, (wait + 59) // 60)
                    response = render(request, template, {"minutes": minutes}, status=429)
                    response["Retry-After"] = str(wait)
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
