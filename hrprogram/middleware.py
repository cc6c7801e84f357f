"""Request checks that hold for every page and the API alike."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from core.replica import mark_written, replica_alias
from hrprogram.errors import database_unavailable, is_database_unavailable

NUL = "\x00"


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


class DatabaseUnavailableMiddleware:
    """Answer 503 with Retry-After when the database connection dropped inside the view.

    Django closes the broken connection at the end of the request, and the next request opens
    a new one. A drop before or after the view (a middleware loading the session) reaches
    `hrprogram.errors.server_error` instead, which answers the same.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_unavailable(exception):
            return None
        return database_unavailable(request, exception)


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
