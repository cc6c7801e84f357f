"""The dashboard's days come from the query string: any day a person can type is an answer with
a message, never a 500 (the period around 9999-12-31 does not exist in Python)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("reports:dashboard")


@pytest.mark.parametrize("period", ["month", "quarter", "year"])
@pytest.mark.parametrize("day", ["9999-12-31", "9999-11-30", "0001-01-01", "2101-01-01"])
def test_a_day_outside_1900_to_2100_is_a_form_error(client, manager_a, period, day):
    client.force_login(manager_a)

    response = client.get(DASHBOARD, {"period": period, "day": day})

    assert response.status_code == 200
    assert response.context["form"].errors["day"]


def test_a_custom_period_ending_after_2100_is_a_form_error(client, manager_a):
    client.force_login(manager_a)

    response = client.get(
        DASHBOARD, {"period": "custom", "start": "2026-01-01", "end": "9999-12-31"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["end"]
