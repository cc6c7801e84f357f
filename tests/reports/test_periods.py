"""Calendar periods: reports/periods.py, which every date computation of reports goes through."""

from datetime import date

import pytest

from reports import periods


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 12, 1), 1, date(2026, 1, 1)),
        (date(2025, 1, 15), -13, date(2023, 12, 15)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_of_a_shorter_month(day, months, expected):
    assert periods.add_months(day, months) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2025, 3, 1), date(2025, 3, 31), 1),
        (date(2024, 2, 1), date(2024, 2, 29), 1),
        (date(2024, 11, 1), date(2025, 2, 28), 4),
        (date(2024, 1, 1), date(2025, 12, 31), 24),
        (date(2025, 3, 2), date(2025, 3, 31), 0),
        (date(2025, 3, 1), date(2025, 3, 30), 0),
    ],
)
def test_whole_months(start, end, expected):
    assert periods.whole_months(start, end) == expected


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        ((date(2025, 3, 1), date(2025, 3, 31)), (date(2025, 2, 1), date(2025, 2, 28))),
        ((date(2025, 4, 1), date(2025, 6, 30)), (date(2025, 1, 1), date(2025, 3, 31))),
        ((date(2025, 3, 10), date(2025, 3, 16)), (date(2025, 3, 3), date(2025, 3, 9))),
        ((date(2025, 3, 1), date(2025, 3, 30)), (date(2025, 1, 30), date(2025, 2, 28))),
    ],
)
def test_previous_period_has_the_same_length_in_months_or_days(period, previous):
    assert periods.previous_period(*period) == previous


@pytest.mark.parametrize(
    ("day", "schedule", "expected"),
    [
        (date(2024, 2, 10), periods.MONTHLY, (date(2024, 2, 1), date(2024, 2, 29))),
        (date(2025, 8, 31), periods.QUARTERLY, (date(2025, 7, 1), date(2025, 9, 30))),
        (date(2025, 12, 31), periods.QUARTERLY, (date(2025, 10, 1), date(2025, 12, 31))),
        (date(2025, 6, 1), periods.YEARLY, (date(2025, 1, 1), date(2025, 12, 31))),
    ],
)
def test_period_containing(day, schedule, expected):
    assert periods.period_containing(day, schedule) == expected
    assert periods.calendar_period(*expected) == schedule


def test_calendar_period_is_none_for_other_periods():
    assert periods.calendar_period(date(2025, 2, 1), date(2025, 4, 30)) is None
    assert periods.calendar_period(date(2025, 3, 1), date(2025, 3, 30)) is None


def test_weekly_buckets_run_monday_to_sunday_across_a_new_year():
    assert periods.buckets(date(2024, 12, 31), date(2025, 1, 13), "week") == [
        (date(2024, 12, 30), date(2025, 1, 5)),
        (date(2025, 1, 6), date(2025, 1, 12)),
        (date(2025, 1, 13), date(2025, 1, 19)),
    ]


def test_monthly_buckets_are_whole_calendar_months():
    assert periods.buckets(date(2024, 1, 31), date(2024, 3, 1), "month") == [
        (date(2024, 1, 1), date(2024, 1, 31)),
        (date(2024, 2, 1), date(2024, 2, 29)),
        (date(2024, 3, 1), date(2024, 3, 31)),
    ]


def test_start_of_the_last_weeks_and_months_of_a_chart():
    assert periods.start_of_last(13, "week", date(2025, 3, 31)) == date(2025, 1, 6)
    assert periods.start_of_last(12, "month", date(2025, 3, 31)) == date(2024, 4, 1)


def test_a_period_splits_into_whole_years_whole_months_and_edge_days():
    split = periods.split_into_whole_years_and_months(date(2023, 11, 15), date(2025, 2, 3))
    assert split == (
        [(date(2024, 1, 1), date(2024, 12, 31))],
        [(date(2023, 12, 1), date(2023, 12, 31)), (date(2025, 1, 1), date(2025, 1, 31))],
        [(date(2023, 11, 15), date(2023, 11, 30)), (date(2025, 2, 1), date(2025, 2, 3))],
    )


def test_a_period_without_a_whole_year_splits_into_months_and_edge_days():
    assert periods.split_into_whole_years_and_months(date(2025, 2, 10), date(2025, 5, 31)) == (
        [],
        [(date(2025, 3, 1), date(2025, 5, 31))],
        [(date(2025, 2, 10), date(2025, 2, 28))],
    )
    assert periods.split_into_whole_years_and_months(date(2025, 2, 10), date(2025, 3, 5)) == (
        [],
        [],
        [(date(2025, 2, 10), date(2025, 3, 5))],
    )
