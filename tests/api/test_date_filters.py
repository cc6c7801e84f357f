"""The API's date filters share the pages' date-range rules: the end not before the start, and
dates in a sane range, each a 400 that names the field."""

import pytest

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/encounters/", "/api/v1/training-sessions/"]


@pytest.mark.parametrize("url", LISTS)
def test_an_end_before_the_start_is_a_400_on_the_end(manager_a_api, url):
    response = manager_a_api.get(url, {"date_from": "2026-02-01", "date_to": "2026-01-01"})

    assert response.status_code == 400
    assert response.json() == {"date_to": ["The end date is before the start date."]}


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize(("field", "day"), [("date_from", "0001-01-01"), ("date_to", "9999-12-31")])
def test_a_date_outside_a_sane_range_is_a_400_on_its_field(manager_a_api, url, field, day):
    response = manager_a_api.get(url, {field: day})

    assert response.status_code == 400
    assert list(response.json()) == [field]
