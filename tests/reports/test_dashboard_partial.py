"""A period in progress is compared with as many days of the period before, and says so; the
week and month still under way are marked in the trends, so a short bar is not read as a drop."""

import json
import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from reports import periods
from tests.factories import EncounterFactory

pytestmark = pytest.mark.django_db

# Noon on Wednesday 2 December 2026 in New York.
SECOND_OF_DECEMBER = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)


def at_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 17, 0, tzinfo=UTC)


@pytest.fixture(name="encounters")
def encounters_fixture(program_a, site_a, outreach_a):
    """Two encounters on 1-2 November, ten later in November, two on 1-2 December."""
    days = [date(2026, 11, 1), date(2026, 11, 2)] + [date(2026, 11, 20)] * 10
    days += [date(2026, 12, 1), date(2026, 12, 2)]
    for day in days:
        EncounterFactory(
            program=program_a, location=site_a, staff=outreach_a, occurred_at=at_noon(day)
        )


def test_elapsed_comparison_cuts_both_periods_to_the_same_days():
    december = (date(2026, 12, 1), date(2026, 12, 31))

    assert periods.elapsed_comparison(*december, date(2026, 12, 2)) == (
        (date(2026, 12, 1), date(2026, 12, 2)),
        (date(2026, 11, 1), date(2026, 11, 2)),
    )
    # 31 March against February: never past the end of the shorter month.
    assert periods.elapsed_comparison(date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 30))[
        1
    ] == (date(2026, 2, 1), date(2026, 2, 28))
    # A period already over is compared whole.
    assert periods.elapsed_comparison(*december, date(2027, 1, 5)) == (
        december,
        (date(2026, 11, 1), date(2026, 11, 30)),
    )


def test_this_month_so_far_is_compared_with_as_many_days_of_last_month(
    client, manager_a, encounters
):
    with time_machine.travel(SECOND_OF_DECEMBER, tick=False):
        client.force_login(manager_a)
        response = client.get(reverse("reports:dashboard"))

    encounters_card = next(card for card in response.context["cards"] if card.key == "encounters")
    assert (encounters_card.value, encounters_card.previous) == (2, 2)
    assert encounters_card.change == "0%"
    page = response.text
    assert "vs 1–2 Nov: 2" in page  # noqa: RUF001 - the en dash of the label
    assert 'title="vs 1–2 Nov" data-change>0%' in page  # noqa: RUF001
    assert "compared with 1–2 Nov" in page  # noqa: RUF001
    assert "(so far: 1–2 Dec)" in page  # noqa: RUF001


def test_the_month_and_week_under_way_are_marked_so_far_in_the_trends(
    client, manager_a, encounters
):
    with time_machine.travel(SECOND_OF_DECEMBER, tick=False):
        client.force_login(manager_a)
        response = client.get(reverse("reports:dashboard"))

    payload = json.loads(
        re.search(r'id="dashboard-charts"[^>]*>(.*?)</script>', response.text).group(1)
    )
    assert payload["monthly"]["labels"][-2:] == ["November 2026", "December 2026 (so far)"]
    assert payload["weekly"]["labels"][-1].endswith("(so far)")
    assert not payload["weekly"]["labels"][-2].endswith("(so far)")


def test_a_past_month_is_compared_with_the_whole_month_before(client, manager_a, encounters):
    with time_machine.travel(SECOND_OF_DECEMBER, tick=False):
        client.force_login(manager_a)
        response = client.get(
            reverse("reports:dashboard"), {"period": "month", "day": "2026-11-15"}
        )

    encounters_card = next(card for card in response.context["cards"] if card.key == "encounters")
    assert encounters_card.value == 12
    assert "compared with October 2026" in response.text
    assert "(so far:" not in response.text
