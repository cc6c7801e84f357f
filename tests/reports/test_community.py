"""The public community report: off until a manager turns it on, every small count hidden."""

from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse

from audit.models import AuditEntry
from demo import reports as demo_reports
from reports import services
from reports.models import CommunityReportSetting
from tests.participants.conftest import catalogue_a  # noqa: F401
from tests.reports.known_program import known_program_data  # noqa: F401
from tests.reports.report_fixtures import (  # noqa: F401
    definitions_fixture,
    manager_b_fixture,
    monthly_fixture,
    state_health_fixture,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def turn_on(client, manager, definition, period="month"):
    client.force_login(manager)
    return client.post(
        reverse("reports:community_settings"),
        {"enabled": "on", "definition": definition.pk, "period": period},
    )


def test_the_community_page_is_off_by_default(client, manager_a, program_a, monthly):
    demo_reports.seed_demo_reports(program=program_a, funders=[])
    setting = CommunityReportSetting.objects.get(program=program_a)

    assert setting.enabled is False
    assert client.get(reverse("reports:community", args=[setting.slug])).status_code == 404
    assert client.get(reverse("reports:community", args=["no-such-program"])).status_code == 404


def test_manager_turns_it_on_and_anyone_reads_the_last_complete_period_suppressed(
    client, data, manager_a, program_a, monthly, monkeypatch
):
    # "Today" is in April 2025, so the last complete month is the known March.
    monkeypatch.setattr(services, "program_today", lambda program: date(2025, 4, 20))
    response = turn_on(client, manager_a, monthly)
    assert response.status_code == 302
    setting = CommunityReportSetting.objects.get(program=program_a)
    assert AuditEntry.objects.filter(action="reports.community.changed", actor=manager_a).exists()

    client.logout()
    page = client.get(reverse("reports:community", args=[setting.slug]))

    assert page.status_code == 200
    assert "Program A" in page.text
    assert "March 1, 2025 to March 31, 2025" in page.text
    assert "Participants served" in page.text
    assert "Distinct participants with at least one encounter" in page.text
    measures = {line.key: line.shown.text for line in page.context["content"].measures}
    assert measures["unduplicated_participants"] == "<11"
    assert measures["syringes_distributed"] == "100"
    assert "&lt;11" in page.text


def test_turned_off_again_the_page_is_gone(client, data, manager_a, program_a, monthly):
    turn_on(client, manager_a, monthly)
    setting = CommunityReportSetting.objects.get(program=program_a)
    assert client.get(reverse("reports:community", args=[setting.slug])).status_code == 200

    client.post(
        reverse("reports:community_settings"),
        {"definition": monthly.pk, "period": "quarter"},
    )

    assert client.get(reverse("reports:community", args=[setting.slug])).status_code == 404


def test_turning_it_on_needs_a_report_to_show(client, manager_a, program_a, monthly):
    client.force_login(manager_a)

    response = client.post(reverse("reports:community_settings"), {"enabled": "on"})

    assert response.status_code == 200
    assert "Choose which report the public page shows" in response.text
    assert not CommunityReportSetting.objects.filter(program=program_a, enabled=True).exists()


def test_a_manager_cannot_show_another_programs_report(client, manager_b, monthly):
    client.force_login(manager_b)

    response = client.post(
        reverse("reports:community_settings"),
        {"enabled": "on", "definition": monthly.pk, "period": "month"},
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not CommunityReportSetting.objects.exists()
