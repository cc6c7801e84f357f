"""Every computation on calendar periods in reports, on dateutil's relativedelta.

A period is a pair of days, both included. Here: months, quarters, years and weeks; the period
before a period; the weeks or months of a trend; a period cut into whole years, whole months
and the days at its edges; and when a scheduled run falls due.
"""

from datetime import date
from typing import Literal

from dateutil.relativedelta import MO, relativedelta

Period = tuple[date, date]
Grain = Literal["week", "month"]

MONTHLY = "monthly"
QUARTERLY = "quarterly"
YEARLY = "yearly"

# How many months each schedule's period spans.
PERIOD_MONTHS = {MONTHLY: 1, QUARTERLY: 3, YEARLY: 12}

ONE_DAY = relativedelta(days=1)


# --- Days, weeks and months --------------------------------------------------------------------


def day_after(day: date) -> date:
    return day + ONE_DAY


def length_in_days(start: date, end: date) -> int:
    return (end - start).days + 1


def week_start(day: date) -> date:
    """The Monday on or before `day`."""
    return day + relativedelta(weekday=MO(-1))


def week_end(day: date) -> date:
    """The Sunday on or after `day`."""
    return week_start(day) + relativedelta(days=6)


def month_start(day: date) -> date:
    return day + relativedelta(day=1)


def month_end(day: date) -> date:
    return day + relativedelta(day=31)


def add_months(day: date, months: int) -> date:
    """The same day `months` months later (or earlier), the month's last day if it is shorter."""
    return day + relativedelta(months=months)


def whole_months(start: date, end: date) -> int:
    """How many calendar months [start, end] spans exactly, or 0 if it is not whole months."""
    after = day_after(end)
    if start.day != 1 or after.day != 1:
        return 0
    span = relativedelta(after, start)
    return span.years * 12 + span.months


# --- Months, quarters and years ----------------------------------------------------------------


def calendar_year(year: int) -> Period:
    return date(year, 1, 1), date(year, 12, 31)


def period_containing(day: date, schedule: str) -> Period:
    """The month, quarter or year that holds `day`."""
    months = PERIOD_MONTHS[schedule]
    start = day + relativedelta(month=(day.month - 1) // months * months + 1, day=1)
    return start, start + relativedelta(months=months, days=-1)


def calendar_period(start: date, end: date) -> str | None:
    """MONTHLY, QUARTERLY or YEARLY when [start, end] is exactly one calendar month, quarter or
    year; None otherwise."""
    for schedule in PERIOD_MONTHS:
        if period_containing(start, schedule) == (start, end):
            return schedule
    return None


def quarter_number(day: date) -> int:
    return (day.month - 1) // 3 + 1


def previous_complete_period(today: date, schedule: str) -> Period:
    """The last month, quarter or year that ended before `today`."""
    start, _end = period_containing(today, schedule)
    return period_containing(start - ONE_DAY, schedule)


def previous_period(start: date, end: date) -> Period:
    """The period just before, of the same length: whole months give whole months."""
    months = whole_months(start, end)
    if months:
        return start - relativedelta(months=months), start - ONE_DAY
    return start - relativedelta(days=length_in_days(start, end)), start - ONE_DAY


def elapsed_comparison(start: date, end: date, today: date) -> tuple[Period, Period]:
    """A period and the one to compare it with. A period in progress on `today` is cut at
    today and compared with the same number of days from the start of the period before (2
    December: 1-2 December against 1-2 November), not with the whole of it."""
    previous_start, previous_end = previous_period(start, end)
    if not start <= today < end:
        return (start, end), (previous_start, previous_end)
    elapsed = relativedelta(days=length_in_days(start, today) - 1)
    return (start, today), (previous_start, min(previous_start + elapsed, previous_end))


def is_partial(start: date, end: date, today: date) -> bool:
    """Whether [start, end] has begun but not ended by `today` (its last day still to come)."""
    return start <= today < end


# --- Trends ------------------------------------------------------------------------------------


def bucket_start(day: date, grain: Grain) -> date:
    return week_start(day) if grain == "week" else month_start(day)


def _weeks_or_months(count: int, grain: Grain) -> relativedelta:
    return relativedelta(weeks=count) if grain == "week" else relativedelta(months=count)


def buckets(start: date, end: date, grain: Grain) -> list[Period]:
    """Every week (Monday to Sunday) or calendar month touching [start, end], in order, whole:
    the first and the last may reach outside it."""
    found = []
    first = bucket_start(start, grain)
    while first <= end:
        after = first + _weeks_or_months(1, grain)
        found.append((first, after - ONE_DAY))
        first = after
    return found


def start_of_last(count: int, grain: Grain, day: date) -> date:
    """The first day of the `count` weeks or months that end with the one holding `day`."""
    return bucket_start(day, grain) - _weeks_or_months(count - 1, grain)


# --- Whole years and months inside a period ----------------------------------------------------


def inner_months(start: date, end: date) -> Period | None:
    """The whole calendar months inside [start, end], or None if there are none."""
    first = start if start.day == 1 else start + relativedelta(months=1, day=1)
    last = month_start(day_after(end)) - ONE_DAY
    return (first, last) if first <= last else None


def split_into_whole_years_and_months(
    start: date, end: date
) -> tuple[list[Period], list[Period], list[Period]]:
    """[start, end] cut into whole calendar years (at most one period), the other whole months
    (at most two) and the days at its edges (at most two)."""
    inner = inner_months(start, end)
    if inner is None:
        return [], [], [(start, end)]
    inner_start, inner_end = inner
    edges = _not_empty((start, inner_start - ONE_DAY), (day_after(inner_end), end))
    first = inner_start
    if first.month != 1:
        first += relativedelta(years=1, month=1, day=1)
    last = inner_end
    if last.month != 12:
        last += relativedelta(years=-1, month=12, day=31)
    if first > last:
        return [], [inner], edges
    months = _not_empty((inner_start, first - ONE_DAY), (day_after(last), inner_end))
    return [(first, last)], months, edges


def _not_empty(*periods: Period) -> list[Period]:
    return [(start, end) for start, end in periods if start <= end]


# --- Scheduled runs ----------------------------------------------------------------------------


def due_on(period_end: date, run_on_day: int) -> date:
    """A scheduled run of a period happens on day `run_on_day` of the month after it ends."""
    return day_after(period_end) + relativedelta(day=run_on_day)


def due_period(today: date, schedule: str, run_on_day: int) -> Period | None:
    """The period a schedule should have a run for by `today`: the latest complete one, once
    its day has come (None before). A day the beat missed is caught up the next day, until the
    next period ends; a new schedule does not backfill earlier periods."""
    start, end = previous_complete_period(today, schedule)
    if today < due_on(end, run_on_day):
        return None
    return start, end
