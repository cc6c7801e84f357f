"""What a measure is computed over: a program, a period of whole days, maybe a place and a kind."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from reports import periods

if TYPE_CHECKING:
    from accounts.models import Location, Program


@dataclass(frozen=True)
class Scope:
    """What a measure is computed over.

    `start` and `end` are days, both included, in the program's time zone. `location` narrows
    every measure that has a place (encounters, collections, trainings by the stock they drew
    on, referrals made at an encounter there). `kind` narrows the measures about encounters
    only; the others (collections, trainings, reversal reports) have no encounter kind and are
    left out when a kind is chosen.
    """

    program: Program
    start: date
    end: date
    location: Location | None = None
    kind: str | None = None

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("A scope ends on or after the day it starts.")

    @property
    def tzinfo(self):
        return self.program.tzinfo

    @property
    def start_at(self) -> datetime:
        """Midnight starting the first day, in the program's time zone."""
        return datetime.combine(self.start, time.min, tzinfo=self.tzinfo)

    @property
    def end_at(self) -> datetime:
        """Midnight after the last day, in the program's time zone (excluded)."""
        return datetime.combine(periods.day_after(self.end), time.min, tzinfo=self.tzinfo)

    @property
    def days(self) -> int:
        return periods.length_in_days(self.start, self.end)

    def previous(self) -> Scope:
        """The period just before, of the same length: whole months give whole months."""
        start, end = periods.previous_period(self.start, self.end)
        return replace(self, start=start, end=end)

    def with_period(self, start: date, end: date) -> Scope:
        return replace(self, start=start, end=end)


def month_scope(program: Program, day: date, **filters) -> Scope:
    """The calendar month holding `day`."""
    start, end = periods.period_containing(day, periods.MONTHLY)
    return Scope(program=program, start=start, end=end, **filters)
