"""Report periods: calendar months, quarters and years, and when a scheduled run falls due."""

import calendar
from datetime import date, timedelta

MONTHLY = "monthly"
QUARTERLY = "quarterly"
YEARLY = "yearly"

# How many months each schedule's period spans.
PERIOD_MONTHS = {MONTHLY: 1, QUARTERLY: 3, YEARLY: 12}


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def period_containing(day: date, schedule: str) -> tuple[date, date]:
    """The month, quarter or year that holds `day`."""
    months = PERIOD_MONTHS[schedule]
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    last_month = first_month + months - 1
    return start, month_end(day.year, last_month)


def previous_complete_period(today: date, schedule: str) -> tuple[date, date]:
    """The last month, quarter or year that ended before `today`."""
    start, _end = period_containing(today, schedule)
    return period_containing(start - timedelta(days=1), schedule)


def due_on(period_end: date, run_on_day: int) -> date:
    """A scheduled run of a period happens on day `run_on_day` of the month after it ends."""
    first_after = period_end + timedelta(days=1)
    return first_after.replace(day=run_on_day)


def due_period(today: date, schedule: str, run_on_day: int) -> tuple[date, date] | None:
    """The period a schedule should have a run for by `today`: the latest complete one, once
    its day has come (None before). A day the beat missed is caught up the next day, until the
    next period ends; a new schedule does not backfill earlier periods."""
    start, end = previous_complete_period(today, schedule)
    if today < due_on(end, run_on_day):
        return None
    return start, end
