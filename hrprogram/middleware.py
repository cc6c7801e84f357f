"""Request checks that hold for every page and the API alike."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

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
