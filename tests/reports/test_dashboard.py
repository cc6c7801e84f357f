"""The manager dashboard and the encounter extract, on the hand-built program of known answers."""

import csv
import io
import json
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from encounters.models import Encounter
from referrals.models import Referral
from referrals.services import make_referral
from supplies.models import ReorderLevel
from tests.factories import EncounterFactory, LocationFactory, ParticipantFactory
from tests.participants.conftest import catalogue_a  # noqa: F401
from tests.reports.known_program import known_program_data  # noqa: F401

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("reports:dashboard")
EXTRACT = reverse("reports:encounter_extract")
MARCH_2025 = {"period": "month", "day": "2025-03-15"}


def open_dashboard(client, user, params=MARCH_2025):
    client.force_login(user)
    response = client.get(DASHBOARD, params)
    assert response.status_code == 200
    return response


def card(response, key):
    return next(card for card in response.context["cards"] if card.key == key)


def test_outreach_workers_and_funders_may_not_open_the_dashboard(client, outreach_a, funder):
    for user in (outreach_a, funder):
        client.force_login(user)
        assert client.get(DASHBOARD).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_managers_find_the_dashboard_in_their_menu_and_on_their_home_page(
    client, manager_a, outreach_a
):
    client.force_login(manager_a)
    assert f'href="{DASHBOARD}"' in client.get(reverse("home")).text
    menu = [item["url"] for item in client.get(reverse("home")).context["navigation"]]
    assert DASHBOARD in menu
    client.force_login(outreach_a)
    menu = [item["url"] for item in client.get(reverse("home")).context["navigation"]]
    assert DASHBOARD not in menu


def test_key_measures_of_the_month_against_the_month_before(client, manager_a, data):
    response = open_dashboard(client, manager_a)

    participants = card(response, "unduplicated_participants")
    assert (participants.value, participants.previous) == (5, 3)
    assert participants.change == "+67%"
    assert card(response, "encounters").value == 8
    assert card(response, "naloxone_doses").value == 13
    assert card(response, "collection_ratio").shown == "4.55"
    assert card(response, "linkage_rate").shown == "33%"
    page = response.text
    assert "March 2025" in page and "compared with February 2025" in page
    assert "Distinct participants with at least one encounter in the period" in page


def test_each_number_links_to_the_list_behind_it(client, manager_a, data):
    response = open_dashboard(client, manager_a)

    encounters = card(response, "encounters")
    assert encounters.url == (
        reverse("encounters:list") + "?date_from=2025-03-01&date_to=2025-03-31"
    )
    assert f'href="{encounters.url.replace("&", "&amp;")}"' in response.text
    assert card(response, "trainings").url == (
        reverse("training:list") + "?date_from=2025-03-01&date_to=2025-03-31"
    )
    assert card(response, "referrals_made").url == reverse("referrals:follow_ups")
    listed = client.get(encounters.url)
    assert listed.status_code == 200


def test_a_location_narrows_the_dashboard_and_its_links(client, manager_a, data):
    response = open_dashboard(client, manager_a, {**MARCH_2025, "location": data.van.pk})

    assert card(response, "encounters").value == 2
    assert f"location={data.van.pk}" in card(response, "encounters").url
    assert [site["location"] for site in response.context["sites"]] == [data.van]


def test_the_site_table_lists_each_location_with_links(client, manager_a, data):
    response = open_dashboard(client, manager_a)

    sites = response.context["sites"]
    assert [(site["location"].name, site["numbers"]) for site in sites] == [
        ("A Drop-in", ["6", "5", "60", "415", "8"]),  # 15 + 100 + 300 collected; 2 + 6 doses
        ("A Van", ["2", "1", "40", "40", "5"]),
    ]
    assert f"location={data.van.pk}" in sites[1]["dashboard_url"]
    assert "period=month" in sites[1]["dashboard_url"]


def test_quarter_year_and_custom_periods(client, manager_a, data):
    quarter = open_dashboard(client, manager_a, {"period": "quarter", "day": "2025-02-10"})
    assert (quarter.context["scope"].start, quarter.context["scope"].end) == (
        date(2025, 1, 1),
        date(2025, 3, 31),
    )
    assert card(quarter, "encounters").value == 11
    assert "Q1 2025" in quarter.text

    year = open_dashboard(client, manager_a, {"period": "year", "day": "2025-06-01"})
    assert card(year, "encounters").value == 12
    assert len(year.context["charts"]["monthly"]["labels"]) == 12

    custom = open_dashboard(
        client, manager_a, {"period": "custom", "start": "2025-03-31", "end": "2025-04-01"}
    )
    assert card(custom, "encounters").value == 2  # 23:30 on March 31 and 00:30 on April 1


def test_bad_filters_get_a_clear_message_and_this_month(client, manager_a, data):
    response = open_dashboard(
        client, manager_a, {"period": "custom", "start": "2025-03-31", "end": "2025-03-01"}
    )
    assert "The last day is before the first day." in response.text
    today = timezone.localdate(timezone=data.program.tzinfo)
    assert response.context["scope"].start == today.replace(day=1)

    response = open_dashboard(client, manager_a, {"period": "custom", "start": "2025-03-01"})
    assert "A custom period needs a first and a last day." in response.text
    response = open_dashboard(client, manager_a, {"day": "not a date"})
    assert "Enter a valid date." in response.text


def test_a_location_of_another_program_is_refused_and_shows_nothing_of_it(
    client, manager_a, program_b, data
):
    site_b = LocationFactory(program=program_b, name="B Secret Site")
    EncounterFactory(program=program_b, location=site_b)

    response = open_dashboard(client, manager_a, {**MARCH_2025, "location": site_b.pk})

    assert "Select a valid choice" in response.text
    assert "B Secret Site" not in response.text
    assert response.context["scope"].location is None


def test_only_the_managers_own_program_is_counted(client, manager_a, program_b, data):
    march_day = timezone.make_aware(timezone.datetime(2025, 3, 10, 12), data.program.tzinfo)
    for _ in range(4):
        EncounterFactory(program=program_b, occurred_at=march_day)

    assert card(open_dashboard(client, manager_a), "encounters").value == 8


def test_charts_carry_their_data_as_json_for_the_script(client, manager_a, data):
    response = open_dashboard(client, manager_a)

    page = response.text
    assert page.count("<canvas data-chart=") == 3
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in page
    assert 'src="/static/js/dashboard.js"' in page
    assert "<script>" not in page and " style=" not in page  # nothing inline
    payload = json.loads(re.search(r'id="dashboard-charts"[^>]*>(.*?)</script>', page).group(1))
    monthly = payload["monthly"]
    assert monthly["labels"][-2:] == ["February 2025", "March 2025"]
    assert monthly["datasets"][0]["label"] == "Encounters"
    assert monthly["datasets"][0]["data"][-2:] == [3, 8]
    weekly = payload["weekly"]
    assert len(weekly["labels"]) == 13
    assert sum(weekly["datasets"][0]["data"]) == 3 + 8  # 13 weeks from 6 January


def test_stock_alerts_and_overdue_follow_ups(client, manager_a, outreach_a, site_a, data):
    syringe = data.program.items.get(name="Syringe 1 mL 28G")
    ReorderLevel.objects.create(location=site_a, item=syringe, minimum=5000)
    participant = ParticipantFactory(program=data.program)
    overdue = make_referral(by=outreach_a, participant=participant, kind="housing")
    Referral.objects.filter(pk=overdue.pk).update(
        follow_up_due=data.program.today() - timedelta(days=3)
    )
    make_referral(by=outreach_a, participant=participant, kind="food")  # not yet due

    response = open_dashboard(client, manager_a)

    assert "Low: Syringe 1 mL 28G at A Drop-in" in response.text
    assert response.context["overdue_count"] == 1
    assert "1 overdue follow-up" in response.text
    assert reverse("referrals:detail", args=[overdue.pk]) in response.text


def test_the_dashboard_costs_a_bounded_number_of_queries(
    client, manager_a, data, django_assert_max_num_queries
):
    client.force_login(manager_a)
    # The first request also builds the cached participant sets: four more queries for each
    # look-up of people (reports/measures/people.py); later ones read them.
    with django_assert_max_num_queries(60):
        client.get(DASHBOARD, {"period": "year", "day": "2025-06-01"})
    with django_assert_max_num_queries(40):
        client.get(DASHBOARD, {"period": "year", "day": "2025-06-01"})


# --- The encounter-level extract ---------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_the_extract_streams_one_row_per_encounter_of_the_year_and_is_audited(
    client, manager_a, data
):
    client.force_login(manager_a)

    response = client.get(EXTRACT, {"year": 2025})

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="encounters-2025.csv"'
    rows = read_csv(response)
    header, body = rows[0], rows[1:]
    assert header[:6] == ["Date", "Time", "Location", "Kind", "Participant", "Staff"]
    assert len(body) == 12
    assert body[0][:4] == ["2025-02-01", "11:00", "A Drop-in", "Fixed site"]
    last_of_march = next(row for row in body if row[0] == "2025-03-31")
    assert last_of_march[1] == "23:30"  # local time, not UTC
    van = next(row for row in body if row[0] == "2025-03-20")
    column = header.index
    assert van[column("Naloxone doses")] == "5"
    assert van[column("Syringes distributed")] == "30"
    assert van[column("Naloxone refill reason")] == "Lost or taken"
    anonymous = next(row for row in body if row[0] == "2025-03-12")
    assert anonymous[column("Participant")] == "anonymous"
    entry = AuditEntry.objects.get(action="reports.extract.downloaded")
    assert entry.actor == manager_a and entry.details["year"] == 2025


def test_the_extract_is_for_managers_only_and_of_their_program(
    client, outreach_a, funder, manager_a, program_b, data
):
    for user in (outreach_a, funder):
        client.force_login(user)
        assert client.get(EXTRACT, {"year": 2025}).status_code == 403
    EncounterFactory(program=program_b, occurred_at=timezone.now())
    client.force_login(manager_a)
    this_year = manager_a.program.today().year
    rows = read_csv(client.get(EXTRACT, {"year": this_year}))
    assert len(rows) == 1  # the header: program B's encounter is not there


def test_a_bad_year_is_a_400_with_a_message(client, manager_a):
    client.force_login(manager_a)
    for year in ("soon", "1999", str(manager_a.program.today().year + 1)):
        response = client.get(EXTRACT, {"year": year})
        assert response.status_code == 400
        assert "Give a year from 2000" in response.json()["error"]


def test_the_extract_counts_an_encounter_without_supplies(client, manager_a, site_a):
    Encounter.objects.create(
        program=manager_a.program,
        location=site_a,
        staff=manager_a,
        occurred_at=timezone.now(),
        kind=Encounter.Kind.FIXED_SITE,
    )
    client.force_login(manager_a)

    rows = read_csv(client.get(EXTRACT))

    assert len(rows) == 2
    assert rows[1][6:10] == ["0", "0", "0", "0"]


def test_dates_are_typed_and_shown_in_the_readers_language(client, manager_a):
    manager_a.language = "es"
    manager_a.save(update_fields=["language"])

    response = open_dashboard(
        client, manager_a, {"period": "custom", "start": "01/03/2025", "end": "15/03/2025"}
    )

    scope = response.context["scope"]
    assert (scope.start, scope.end) == (date(2025, 3, 1), date(2025, 3, 15))
    page = response.text
    # Text inputs in the Spanish order, whatever order the phone's own date picker would use.
    assert re.search(
        r'<input type="text" name="start" value="01/03/2025"[^>]*placeholder="dd/mm/aaaa"', page
    )
    assert 'type="date"' not in page
    assert "1 de marzo de 2025 – 15 de marzo de 2025" in page  # noqa: RUF001 - an en dash
    # Chart labels are Spanish short dates too (day first).
    weekly = response.context["charts"]["weekly"]["labels"]
    assert all(re.fullmatch(r"\d{2}/\d{2}/\d{4}", label) for label in weekly)


def test_an_iso_date_still_reads_in_spanish(client, manager_a):
    manager_a.language = "es"
    manager_a.save(update_fields=["language"])

    response = open_dashboard(client, manager_a, {"period": "month", "day": "2025-03-15"})

    assert response.context["scope"].start == date(2025, 3, 1)


def test_chart_titles_and_quarters_are_in_the_readers_language(client, manager_a):
    manager_a.language = "es"
    manager_a.save(update_fields=["language"])

    response = open_dashboard(client, manager_a, {"period": "quarter", "day": "2025-03-15"})

    charts = response.context["charts"]
    assert [charts[name]["title"] for name in ("weekly", "monthly", "supplies")] == [
        "Por semana",
        "Por mes",
        "Suministros por mes",
    ]
    assert "T1 2025" in response.text
