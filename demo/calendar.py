"""The demo program's calendar: when its sites are open and how busy each hour of the year is."""

from bisect import bisect_right
from datetime import date, datetime, timedelta
from itertools import accumulate

from django.utils import timezone

DAYS = 365

# Weekdays are busy, Sundays quiet; mid-day is the rush (local hour -> weight).
WEEKDAY_WEIGHTS = (1.0, 1.05, 1.1, 1.05, 0.95, 0.45, 0.25)
HOUR_WEIGHTS = {
    8: 0.3,
    9: 0.7,
    10: 1.0,
    11: 1.3,
    12: 1.5,
    13: 1.5,
    14: 1.3,
    15: 1.1,
    16: 0.9,
    17: 0.6,
    18: 0.4,
    19: 0.25,
    20: 0.1,
}
CLOSED_DAYS = {(1, 1), (7, 4), (12, 25)}

Slots = tuple[list[int], list[float]]  # opening hours: Unix start seconds, cumulative weights


def opening_hours(*, tzinfo, now: datetime, rng, days: int = DAYS) -> Slots:
    """Every opening hour of the last `days` days: (Unix start seconds, cumulative weights).

    Busy weekdays and quiet weekends, a mid-day rush, a slow growth over the year, a little
    day-to-day noise, holidays nearly closed. Hours not yet over are left out.
    """
    today = timezone.localtime(now, tzinfo).date()
    now_seconds = now.timestamp()
    starts, weights = [], []
    for offset in range(days, -1, -1):
        day = today - timedelta(days=offset)
        day_weight = _day_weight(day, growth=0.85 + 0.3 * (days - offset) / days, rng=rng)
        for hour, hour_weight in HOUR_WEIGHTS.items():
            start = datetime(day.year, day.month, day.day, hour, tzinfo=tzinfo).timestamp()
            if start + 3600 <= now_seconds:
                starts.append(int(start))
                weights.append(day_weight * hour_weight)
    return starts, list(accumulate(weights))


def _day_weight(day: date, *, growth: float, rng) -> float:
    noise = rng.uniform(0.8, 1.2)
    closed = 0.15 if (day.month, day.day) in CLOSED_DAYS else 1.0
    return WEEKDAY_WEIGHTS[day.weekday()] * growth * noise * closed


def random_moment(rng, slots: Slots) -> int:
    starts, cumulative = slots
    slot = bisect_right(cumulative, rng.random() * cumulative[-1])
    return starts[min(slot, len(starts) - 1)] + rng.randrange(3600)
