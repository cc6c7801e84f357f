"""Every API error is JSON: field errors as {field: [message]}, others as {detail: message}.

The services' domain errors become 400 with the field they name, and running out of stock
becomes 409 (the request was fine; the shelf was empty).
"""

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError
from security.code_guesses import CodeGuessBudgetSpent
from supplies.services import InsufficientStock

NON_FIELD = "non_field_errors"
# The services name their inputs; a few are called differently in the API.
SERVICE_FIELD_NAMES = {"encounter_id": "id"}


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """{"supplies": {1: {"item": ["..."]}}} -> {"supplies.1.item": ["..."]}."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = str(key) if not prefix else f"{prefix}.{key}"
            if not prefix and key == NON_FIELD:
                name = NON_FIELD
            for field, messages in flatten_errors(value, name).items():
                flat.setdefault(field, []).extend(messages)
        return flat
    if isinstance(detail, list | tuple):
        if all(not isinstance(value, dict | list | tuple) for value in detail):
            return {prefix or NON_FIELD: [str(value) for value in detail]} if detail else {}
        flat = {}
        for index, value in enumerate(detail):
            if value:
                for field, messages in flatten_errors(value, f"{prefix}.{index}").items():
                    flat.setdefault(field, []).extend(messages)
        return flat
    return {prefix or NON_FIELD: [str(detail)]}


def domain_error_response(error: Exception) -> Response | None:
    """The response for a service's domain error, or None if `error` is not one."""
    if not isinstance(error, DomainError):
        return None
    if isinstance(error, CodeGuessBudgetSpent):
        return Response({"detail": str(error.message)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
    field = SERVICE_FIELD_NAMES.get(error.field, error.field) or NON_FIELD
    out_of_stock = isinstance(error, InsufficientStock) or isinstance(
        error.__cause__, InsufficientStock
    )
    return Response(
        {field: [str(error.message)]},
        status=status.HTTP_409_CONFLICT if out_of_stock else status.HTTP_400_BAD_REQUEST,
    )


def exception_handler(error: Exception, context: dict) -> Response | None:
    response = domain_error_response(error)
    if response is not None:
        return response
    if isinstance(error, RequestDataTooBig):
        # Django would answer its own HTML 400; the API answers JSON, with the right status.
        return Response(
            {"detail": _("The request is too large. Send fewer items at a time.")},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(error, DjangoValidationError):
        detail = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD: error.messages}
        return Response(flatten_errors(detail), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(error, Http404):
        error = exceptions.NotFound()
    elif isinstance(error, PermissionDenied):
        error = exceptions.PermissionDenied()
    response = drf_exception_handler(error, context)
    if response is not None and isinstance(error, exceptions.ValidationError):
        response.data = flatten_errors(response.data)
    elif response is not None and response.status_code == status.HTTP_400_BAD_REQUEST:
        # A body that is not JSON: still {field: [message]}, like every other 400.
        response.data = {NON_FIELD: [str(response.data.get("detail", ""))]}
    return response
