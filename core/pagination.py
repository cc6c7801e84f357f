"""Keyset paging for long lists ordered newest first: "older than this row", fast on any page.

An offset page costs more the deeper it goes; a cursor of (time, id) of the last row shown
costs the same on the millionth row as on the first, and needs no COUNT(*).
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

CURSOR_PARAMETER = "before"


@dataclass(frozen=True)
class KeysetPage:
    rows: list[Model]
    older_url: str | None  # the query string of the next, older page; None on the last page
    is_first: bool


def keyset_page(
    request: HttpRequest, queryset: QuerySet, *, time_field: str, size: int
) -> KeysetPage:
    """One page of `queryset` (ordered by -time_field, -pk) older than the request's cursor.

    Costs one query for the rows (plus the queryset's prefetches).
    """
    cursor = _parse_cursor(request.GET.get(CURSOR_PARAMETER), queryset.model)
    if cursor is not None:
        at, pk = cursor
        queryset = queryset.filter(
            Q(**{f"{time_field}__lt": at}) | Q(**{time_field: at, "pk__lt": pk})
        )
    rows = list(queryset[: size + 1])
    older_url = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        query = request.GET.copy()
        query[CURSOR_PARAMETER] = f"{getattr(last, time_field).isoformat()}|{last.pk}"
        older_url = f"?{query.urlencode()}"
    return KeysetPage(rows=rows, older_url=older_url, is_first=cursor is None)


def _parse_cursor(value: str | None, model: type[Model]) -> tuple[datetime, object] | None:
    """A malformed cursor (hand-edited URL) means the newest page, never an error."""
    if not value or "|" not in value:
        return None
    at, pk = value.split("|", 1)
    try:
        moment = datetime.fromisoformat(at)
        pk = model._meta.pk.to_python(pk)
    except (ValueError, ValidationError):
        return None
    if timezone.is_naive(moment):
        return None
    return moment, pk
