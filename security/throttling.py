"""The API's throttles, which keep the API answering when their cache is down.

DRF's throttles count in the default cache (Redis in production). Unreachable, it would turn
every API request into a 500, so no phone could sync its queue during a Redis restart. These
fail open like the pages' rate limits (security.ratelimit): a warning, a count on `/healthz`,
and for a scope in settings.RATE_LIMITS_FALL_BACK (looking people up by code answers) a count
in this process's memory instead.
"""

from rest_framework import throttling

from security.ratelimit import CacheOutages, CacheSkipped, fallback_counts, falls_back


class _FailOpen:
    def allow_request(self, request, view):
        try:
            if CacheOutages.recently():
                raise CacheSkipped
            return super().allow_request(request, view)
        except Exception as error:  # the cache client raises its own errors (redis, socket)
            # A scoped throttle learns its scope from the view inside allow_request.
            scope = (
                getattr(view, getattr(self, "scope_attr", ""), None)
                or getattr(self, "scope", None)
                or ""
            )
            if not isinstance(error, CacheSkipped):
                CacheOutages.record(f"API throttle {scope}", error, fell_back=falls_back(scope))
            if not falls_back(scope):
                return True
            self.cache = fallback_counts
            return super().allow_request(request, view)


class AnonRateThrottle(_FailOpen, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_FailOpen, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(_FailOpen, throttling.ScopedRateThrottle):
    pass
