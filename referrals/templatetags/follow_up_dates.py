"""Due dates in lists: short within the program's current year, with the year otherwise."""

from datetime import date

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def due_day(day: date | None, today: date | None) -> str:
    """'22 Dec' in the year of `today` (the program's), '1 Jan 2027' in any other year, so a
    list that spans a new year does not read as one year."""
    if day is None:
        return ""
    same_year = today is not None and day.year == today.year
    return formats.date_format(day, "j M" if same_year else "j M Y")
