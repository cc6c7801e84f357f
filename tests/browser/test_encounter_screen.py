import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import Location, User
from encounters import services as encounter_services
from encounters.models import Encounter
from participants import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_ACTIONS = 10


class ActionCounter:
    """Counts what a worker does on the phone: each tap and each key press."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def tap(self, locator):
        locator.click()
        self.count += 1

    def type(self, text):
        self.page.keyboard.type(text)
        self.count += len(text)


@pytest.fixture
def returning_participant():
    call_command("seed_demo", stdout=io.StringIO())
    outreach = User.objects.get(username="outreach")
    participant, _ = services.enroll_participant(
        by=outreach, code="SU0190DF", profile={"alias": "Sunny"}
    )
    encounter_services.record_encounter(
        by=outreach,
        participant=participant,
        location=Location.objects.get(name="Main Street Drop-in Center"),
        kind=Encounter.Kind.FIXED_SITE,
        syringes_collected=12,
    )
    return participant


def sign_in(page, username="outreach", password="outreach-demo"):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Sam")).to_be_visible()


def test_returning_participant_encounter_in_ten_actions(page, returning_participant):
    sign_in(page)
    page.goto("/encounters/new/")
    actions = ActionCounter(page)

    actions.tap(page.get_by_placeholder("Card id or alias"))
    actions.type("sun")
    actions.tap(page.get_by_role("button", name=str(returning_participant)))
    expect(page.locator("[data-last-encounter]")).to_contain_text("12 syringes collected")
    actions.tap(page.get_by_role("button", name="Save encounter"))

    expect(page.locator("#saved-confirmation")).to_contain_text("Saved")
    assert actions.count <= MAX_ACTIONS, actions.count
    page.goto(f"/participants/{returning_participant.public_id}/")
    timeline = page.locator("[data-timeline] li")
    expect(timeline).to_have_count(2)
    expect(timeline.first).to_contain_text("10 Syringe 1 mL 28G")
    assert Encounter.objects.filter(participant=returning_participant).count() == 2


def test_tap_counters_and_kits_change_what_is_saved(page, returning_participant):
    sign_in(page)
    page.goto("/encounters/new/")

    page.get_by_role("button", name="Anonymous").click()
    page.get_by_role("button", name="Clear").click()
    page.get_by_role("button", name="+ Safer smoking kit").click()
    page.get_by_text("More supplies").click()
    page.get_by_role("button", name="More: Condoms").click()
    page.get_by_role("button", name="More: Condoms").click()
    page.get_by_role("button", name="Fewer: Condoms").click()
    page.get_by_text("HIV test").click()
    page.get_by_role("button", name="Save encounter").click()

    expect(page.locator("#saved-confirmation")).to_contain_text("Anonymous")
    encounter = Encounter.objects.get(participant__isnull=True)
    assert encounter.hiv_test
    assert dict(encounter.supplies.values_list("item__name", "quantity")) == {
        "Smoking kit": 1,
        "Mouthpieces": 2,
        "Screens": 1,
        "Condoms": 1,
    }


def test_undo_within_ten_seconds_removes_the_encounter(page, returning_participant):
    sign_in(page)
    page.goto("/encounters/new/")
    page.get_by_role("button", name="Anonymous").click()
    page.get_by_role("button", name="Save encounter").click()
    expect(page.locator("#saved-confirmation")).to_be_visible()

    page.get_by_role("button", name="Undo").click()

    expect(page.get_by_text("The encounter was undone")).to_be_visible()
    assert not Encounter.objects.filter(participant__isnull=True).exists()


def test_choosing_the_van_makes_it_a_mobile_unit_encounter(page, returning_participant):
    sign_in(page)
    page.goto("/encounters/new/")
    kind = page.get_by_label("Kind")
    expect(kind).to_have_value(Encounter.Kind.FIXED_SITE)

    page.get_by_label("Location").select_option(label="Outreach Van 1")
    expect(kind).to_have_value(Encounter.Kind.MOBILE_UNIT)
    page.get_by_role("button", name="Anonymous").click()
    page.get_by_role("button", name="Save encounter").click()

    expect(page.locator("#saved-confirmation")).to_contain_text("Anonymous")
    encounter = Encounter.objects.get(participant__isnull=True)
    assert encounter.location.name == "Outreach Van 1"
    assert encounter.kind == Encounter.Kind.MOBILE_UNIT


def test_a_kind_chosen_by_hand_stays_when_the_location_changes(page, returning_participant):
    sign_in(page)
    page.goto("/encounters/new/")
    kind = page.get_by_label("Kind")

    kind.select_option(Encounter.Kind.STREET_OUTREACH)
    page.get_by_label("Location").select_option(label="Outreach Van 1")

    expect(kind).to_have_value(Encounter.Kind.STREET_OUTREACH)
