"""An encounter typed near midnight where the program works is shown on the program's date,
not the server's (UTC): the page reads and shows times in the program's time zone."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Location, User
from encounters.models import Encounter
from tests.factories import TEST_PASSWORD, LocationFactory, ProgramFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def night_worker():
    """A worker of a New York program who may back-enter yesterday's encounters."""
    program = ProgramFactory(name="Night program", timezone="America/New_York")
    site = LocationFactory(program=program, name="Night Drop-in", kind=Location.Kind.FIXED_SITE)
    worker = UserFactory(
        username="night",
        first_name="Noor",
        role=User.Role.OUTREACH,
        program=program,
        locations=[site],
    )
    worker.user_permissions.add(Permission.objects.get(codename="backdate_encounter"))
    return worker


def test_an_encounter_at_23_50_in_new_york_shows_on_new_yorks_date(page, night_worker):
    yesterday = timezone.localdate(timezone=NEW_YORK) - timedelta(days=1)
    late = datetime.combine(yesterday, time(23, 50), tzinfo=NEW_YORK)  # 03:50 or 04:50 UTC
    assert late.astimezone(ZoneInfo("UTC")).date() != yesterday

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("night")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Noor")).to_be_visible()
    page.goto("/encounters/new/")
    page.get_by_role("button", name="Anonymous").click()
    page.get_by_text("Reversals, others, time").click()
    page.get_by_label("Time").fill(late.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save encounter").click()

    shown = f"{late:%a} {late.day} {late:%b}, 23:50"  # "Mon 9 Mar, 23:50"
    expect(page.locator("#saved-confirmation")).to_contain_text(shown)
    assert Encounter.objects.get().occurred_at == late
    page.goto("/encounters/")
    expect(page.locator(".list-group-item").first).to_contain_text(shown)
    # The list's day filter is the program's day too: the evening is in yesterday.
    page.goto(f"/encounters/?date_from={yesterday}&date_to={yesterday}")
    expect(page.locator(".encounter-line")).to_have_count(1)
