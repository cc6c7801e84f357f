"""A small per-person rate limit for pages that look participants up.

Counted in the cache (Redis in production, so every web process shares the counts).
Code questions have few possible answers; without a limit a stolen session could try them all.

The front desk must not stop because the cache restarts: when the cache cannot be reached a
limit fails open (the request goes through, a warning is logged and `/healthz` counts it),
except a bucket listed in settings.RATE_LIMITS_FALL_BACK, which counts in this process's
memory meanwhile, so guessing codes stays limited (per web process) through an outage.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.shortcuts import render

from audit.middleware import client_ip

logger = logging.getLogger(__name__)

# After the cache failed, it is left alone this long before it is tried again.
CACHE_RETRY_AFTER_SECONDS = 10

# The per-process stand-in for the shared cache while it is unreachable.
fallback_counts = LocMemCache("ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


class CacheOutages:
    """How many times this process found the rate limit's cache unreachable, and when last;
    `/healthz` shows it."""

    _lock = threading.Lock()
    count = 0
    last_at: float | None = None

    @classmethod
    def record(cls, where: str, error: Exception, *, fell_back: bool) -> None:
        with cls._lock:
            cls.count += 1
            cls.last_at = time.time()
        logger.warning(
            "rate limit cache unreachable (%s), %s: %r",
            where,
            "counting in process memory" if fell_back else "failing open",
            error,
        )

    @classmethod
    def recently(cls) -> bool:
        """Whether the cache failed in the last RETRY_AFTER seconds: then it is not asked again
        yet, so a cache that times out (rather than refusing) costs one request a second's
        wait, not every request."""
        last = cls.last_at
        return last is not None and time.time() - last < CACHE_RETRY_AFTER_SECONDS

    @classmethod
    def snapshot(cls) -> dict:
        return {"count": cls.count, "last_at": cls.last_at}


class CacheSkipped(Exception):
    """The cache failed a moment ago and is not asked again yet."""


def falls_back(bucket: str) -> bool:
    """Whether `bucket` (a page's bucket or an API throttle's scope) keeps counting in process
    memory, instead of failing open, while the shared cache is down."""
    return bucket in getattr(settings, "RATE_LIMITS_FALL_BACK", ())


def _client(request) -> str:
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{client_ip(request) or ''}"


def _count(store, key: str, *, now: float, period: int) -> tuple[int, float]:
    """Count one request under `key` in `store`; the count so far and when the window began."""
    store.add(f"{key}:since", now, timeout=period)
    store.add(f"{key}:count", 0, timeout=period)
    try:
        count = store.incr(f"{key}:count")
    except ValueError:  # expired between add and incr: a new window
        store.set(f"{key}:since", now, timeout=period)
        store.set(f"{key}:count", 1, timeout=period)
        count = 1
    return count, store.get(f"{key}:since", now)


def hit(bucket: str, who: str) -> int | None:
    """Count one request in `bucket` for `who`; the seconds to wait if over the limit, else None.

    The window opens at a person's first request and lasts the bucket's period (two cache
    keys that expire together: the count and when it started). Costs one round trip to the
    cache per key; with the cache down, see the module's docstring.
    """
    limit, period = settings.RATE_LIMITS[bucket]
    now = time.time()
    key = f"ratelimit:{bucket}:{who}"
    try:
        if CacheOutages.recently():
            raise CacheSkipped
        count, since = _count(cache, key, now=now, period=period)
    except Exception as error:  # the cache client raises its own errors (redis, socket)
        if not isinstance(error, CacheSkipped):
            CacheOutages.record(f"bucket {bucket}", error, fell_back=falls_back(bucket))
        if not falls_back(bucket):
            return None
        count, since = _count(fallback_counts, key, now=now, period=period)
    if count <= limit:
        return None
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
