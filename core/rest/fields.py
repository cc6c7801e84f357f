"""Date and time fields of the API that refuse what the rest of the system cannot hold: days
outside 1900-2100 (date arithmetic and time zones overflow at the edges of Python's range) and
times without an offset (which would be read silently as UTC)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.forms import EARLIEST_DATE, LATEST_DATE

OUT_OF_RANGE = _("Give a date between 1900 and 2100.")
NO_OFFSET = _(
    "Give the time with its offset from UTC, e.g. 2026-03-04T21:15:00-05:00 or "
    "2026-03-05T02:15:00Z."
)


class SaneDateField(serializers.DateField):
    """A day between 1900-01-01 and 2100-12-31."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            raise serializers.ValidationError(OUT_OF_RANGE)
        return day


class SaneDateTimeField(serializers.DateTimeField):
    """A moment with an explicit UTC offset, on a day between 1900 and 2100."""

    def enforce_timezone(self, value):
        # Called with what was parsed, before DRF would take a naive time as the server's zone.
        if value.tzinfo is None or value.utcoffset() is None:
            raise serializers.ValidationError(NO_OFFSET)
        if not EARLIEST_DATE <= value.date() <= LATEST_DATE:
            raise serializers.ValidationError(OUT_OF_RANGE)
        return super().enforce_timezone(value)


# PostgreSQL's bigint, which every primary key is: a larger id fails in the query, not the check.
LARGEST_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    """The id of a row the API looks up: a positive number a primary key can hold."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=LARGEST_ID, **kwargs)
