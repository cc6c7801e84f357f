"""Request checks that hold for every page and the API alike."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from core.replica import mark_written, replica_alias

NUL = "\x00"

logger = logging.getLogger(__name__)


class RejectNullCharactersMiddleware:
    """Answer 400 to a request with a NUL character in its path, query or form fields.

    PostgreSQL cannot hold NUL in text, so no real input contains one; without this check a
    search or lookup that passed it to a query would fail with a 500 instead of a clear answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            message = _("The request contains a character that is not allowed (NUL).")
            if request.path.startswith("/api/"):
                # The API answers every 400 as {field: [message]}.
                return JsonResponse({"non_field_errors": [message]}, status=400)
            page = loader.get_template("400.html").render({"message": message})
            return HttpResponseBadRequest(page)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if NUL in request.path:
            return True
        fields = [request.GET]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            fields.append(request.POST)
        return any(
            NUL in key or any(NUL in value for value in values)
            for query in fields
            for key, values in query.lists()
        )


# How long a client is asked to wait after the database dropped its connection.
DATABASE_RETRY_AFTER_SECONDS = 5


class DatabaseUnavailableMiddleware:
    """Answer 503 with Retry-After when the database connection dropped during a request.

    A database restart or a network blip is not a bug on the client's side: the API says so in
    JSON (the phone keeps the item in its queue and sends it again; sync is idempotent by
    UUID), a page says to try again. Django closes the broken connection at the end of the
    request, and the next request opens a new one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning(
            "database unavailable during %s %s: %r", request.method, request.path, exception
        )
        message = _("The database is briefly unavailable. Nothing was lost; try again in a moment.")
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=503)
        else:
            page = loader.get_template("503.html").render({"message": message})
            response = HttpResponse(page, status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response


class PrimaryAfterWriteMiddleware:
    """After a successful write (POST, PUT, PATCH, DELETE) by a signed-in person, their reads
    stay on the primary for REPLICA_PIN_SECONDS, so a dashboard never misses what they just
    saved while a read replica catches up. Nothing to do without a replica."""

    WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method in self.WRITES
            and response.status_code < 400
            and replica_alias() is not None
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            mark_written(request.session)
        return response
