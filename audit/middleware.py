"""Who is asking, from where: the client address of the request being served.

The address is kept for the length of one request so that `record_action` can stamp it on
every entry a service writes, without each service taking the request as an argument.
"""

import ipaddress
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest

_current_ip: ContextVar[str | None] = ContextVar("audit_current_ip", default=None)


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or X-Forwarded-For when a trusted proxy sets it.

    With TRUSTED_PROXY_COUNT = n (> 0), the n-th address from the right of X-Forwarded-For is
    the one the outermost trusted proxy saw; addresses left of it are whatever the client
    claimed and are never believed. With 0 (the default) the header is ignored, since anyone
    can send it.
    """
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [
            part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part
        ]
        if len(forwarded) >= proxies:
            address = _valid_ip(forwarded[-proxies])
            if address is not None:
                return address
    return _valid_ip(request.META.get("REMOTE_ADDR", ""))


def current_ip() -> str | None:
    """The client address of the request being served, or None outside a request."""
    return _current_ip.get()


class AuditRequestMiddleware:
    """Remember the client address while the request is served, for the audit entries."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _current_ip.reset(token)
