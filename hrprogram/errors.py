"""What a request answers when the database connection dropped, and the 500 page otherwise.

A database restart or a network blip is not a bug on the client's side: the answer is a 503
with Retry-After wherever in the request the connection was lost. Inside the view
`DatabaseUnavailableMiddleware` turns the error into that answer; before or after the view
(loading the session or the signed-in user in a middleware, saving the session) Django has
already turned it into a 500 and calls `server_error`, which gives the same answer.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

# How long a client is asked to wait after the database dropped its connection.
DATABASE_RETRY_AFTER_SECONDS = 5

logger = logging.getLogger(__name__)


def is_database_unavailable(error: BaseException | None) -> bool:
    return isinstance(error, OperationalError | InterfaceError)


def database_unavailable(request, error: BaseException) -> HttpResponse:
    """503 with Retry-After: JSON on the API (the phone keeps the item queued and sends it
    again; sync is idempotent by UUID), a page saying to try again elsewhere."""
    logger.warning("database unavailable during %s %s: %r", request.method, request.path, error)
    message = _("The database is briefly unavailable. Nothing was lost; try again in a moment.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        # No context processors: they would query the database that is gone.
        page = loader.get_template("503.html").render({"message": message})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


def server_error(request):
    """Django's 500 handler; it runs while the error is being handled, so it can see which."""
    error = sys.exc_info()[1]
    if is_database_unavailable(error):
        return database_unavailable(request, error)
    # No context processors: whatever broke the page may break them too.
    return HttpResponseServerError(loader.get_template("500.html").render())
