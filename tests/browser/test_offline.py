"""The encounter screen with no signal: saved on the phone, synced once when the signal returns."""

import io
import time

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db.models import Sum
from playwright.sync_api import expect

from accounts.models import Location, User
from encounters import services as encounter_services
from encounters.models import Encounter
from participants import services
from participants.models import Participant
from supplies import services as supplies_services
from supplies.models import Item, StockLevel
from tests.browser.test_encounter_screen import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SYRINGES = "Syringe 1 mL 28G"
SITE = "Main Street Drop-in Center"


@pytest.fixture
def demo():
    """The demo program, and a participant the outreach worker saw recently."""
    call_command("seed_demo", stdout=io.StringIO())
    outreach = User.objects.get(username="outreach")
    participant, _ = services.enroll_participant(
        by=outreach, code="SU0190DF", profile={"alias": "Sunny"}
    )
    encounter_services.record_encounter(
        by=outreach,
        participant=participant,
        location=Location.objects.get(name=SITE),
        kind=Encounter.Kind.FIXED_SITE,
    )
    return participant


def on_hand(item_name: str, location_name: str = SITE) -> int:
    levels = StockLevel.objects.filter(lot__item__name=item_name, location__name=location_name)
    return levels.aggregate(total=Sum("on_hand"))["total"] or 0


def wait_until(page, expression: str, timeout: float = 20) -> None:
    """Poll a page expression from here: the page's CSP forbids the eval of wait_for_function."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(0.1)


def open_encounter_screen_ready_for_offline(page):
    sign_in(page)
    page.goto("/encounters/new/")
    wait_until(page, "!!(navigator.serviceWorker && navigator.serviceWorker.controller)")
    expect(page.locator("html[data-offline-ready]")).to_have_count(1, timeout=20_000)


def go_offline(page):
    page.context.set_offline(True)
    wait_until(page, "!navigator.onLine")


def test_encounters_saved_offline_sync_once_when_the_signal_returns(page, demo):
    open_encounter_screen_ready_for_offline(page)
    syringes_before = on_hand(SYRINGES)
    encounters_before = Encounter.objects.count()

    go_offline(page)
    # With no signal the page itself comes from the phone's cache.
    page.reload()
    expect(page.get_by_role("button", name="Save encounter")).to_be_visible()
    expect(page.get_by_text("No signal: encounters are saved on this phone")).to_be_visible()

    # 1. Anonymous, with the usual bundle.
    page.get_by_role("button", name="Anonymous").click()
    page.get_by_role("button", name="Save encounter").click()
    expect(page.locator("#offline-saved")).to_contain_text("Saved on this phone")
    expect(page.get_by_text("1 waiting to sync")).to_be_visible()

    # 2. A participant seen recently, found by alias from the phone's cache.
    page.get_by_placeholder("Card id or alias").fill("sun")
    page.get_by_role("button", name=str(demo)).click()
    expect(page.locator("#selected-participant")).to_contain_text(demo.public_id)
    page.get_by_role("button", name="Save encounter").click()
    expect(page.get_by_text("2 waiting to sync")).to_be_visible()

    # 3. Someone new: the code answers stay on the phone until the sync enrols them.
    page.get_by_text("Find by code questions").click()
    page.get_by_label("Mother's first name").fill("Rosa")
    page.get_by_label("Birth month").select_option("07")
    page.get_by_label("Birth year").fill("1988")
    page.get_by_label("Place of birth (town or country)").fill("Quito")
    page.get_by_label("Non-binary").check()
    page.get_by_role("button", name="Find").click()
    expect(page.locator("[data-code-participant]")).to_be_visible()
    page.get_by_role("button", name="Save encounter").click()

    expect(page.get_by_text("3 waiting to sync")).to_be_visible()
    assert Encounter.objects.count() == encounters_before
    assert on_hand(SYRINGES) == syringes_before

    page.context.set_offline(False)

    expect(page.get_by_text("3 encounters synced.")).to_be_visible()
    expect(page.get_by_text("waiting to sync")).to_be_hidden()
    enrolled = page.locator("[data-enrolled]")
    expect(enrolled).to_contain_text("Write this id on their card")
    new_id = enrolled.get_attribute("data-enrolled")
    # The card id is copied by eye from a phone: never split at its hyphen.
    card_id = enrolled.locator(".public-id")
    expect(card_id).to_have_text(new_id)
    assert card_id.evaluate("element => getComputedStyle(element).whiteSpace") == "nowrap"

    assert Encounter.objects.count() == encounters_before + 3
    assert Encounter.objects.filter(participant__isnull=True).count() == 1
    assert Encounter.objects.filter(participant=demo).count() == 2
    newcomer = Participant.objects.get(public_id=new_id)
    assert newcomer.encounters.count() == 1
    # Each encounter took the usual 10 syringes from the site's stock, once.
    assert on_hand(SYRINGES) == syringes_before - 30

    # Back online the queue stays empty across a reload: nothing is sent twice. The new card id
    # stays on screen until the worker has noted it.
    page.reload()
    expect(page.locator("html[data-offline-ready]")).to_have_count(1, timeout=20_000)
    expect(page.get_by_text("waiting to sync")).to_be_hidden()
    expect(enrolled).to_contain_text(new_id)
    enrolled.get_by_role("button", name="Dismiss").click()
    expect(enrolled).to_have_count(0)
    assert Encounter.objects.count() == encounters_before + 3
    assert on_hand(SYRINGES) == syringes_before - 30


def run_out_of(item_name: str, location_name: str = SITE):
    """Another worker handed out the last of it meanwhile (a manager's count says none left)."""
    manager = User.objects.get(username="manager")
    location = Location.objects.get(name=location_name)
    for level in StockLevel.objects.filter(
        lot__item__name=item_name, location=location, on_hand__gt=0
    ):
        supplies_services.adjust_stock(
            by=manager, location=location, lot=level.lot, change=-level.on_hand, reason="Counted"
        )


def test_an_encounter_the_server_refuses_stays_on_the_phone_with_the_reason(page, demo):
    open_encounter_screen_ready_for_offline(page)
    go_offline(page)
    page.get_by_role("button", name="Anonymous").click()
    page.get_by_role("button", name="Save encounter").click()
    expect(page.get_by_text("1 waiting to sync")).to_be_visible()
    run_out_of(SYRINGES)
    encounters_before = Encounter.objects.count()

    page.context.set_offline(False)

    refused = page.locator("[data-rejected]")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("Anonymous")
    expect(refused).to_contain_text(SYRINGES)
    expect(page.get_by_text("1 encounter could not be synced")).to_be_visible()
    expect(page.get_by_text("waiting to sync")).to_be_hidden()
    assert Encounter.objects.count() == encounters_before

    # Still there after a reload: a refused encounter is never dropped silently.
    page.reload()
    expect(page.locator("[data-rejected]")).to_have_count(1)

    # Fixed (no syringes this time) and sent again, it is stored once.
    refused.get_by_role("button", name="Fix").click()
    page.get_by_role("spinbutton", name=SYRINGES).fill("0")
    page.get_by_role("button", name="Save encounter").click()
    expect(page.locator("[data-rejected]")).to_have_count(0)
    expect(page.get_by_text("1 encounter synced.")).to_be_visible()
    assert Encounter.objects.count() == encounters_before + 1
    stored = Encounter.objects.get(participant__isnull=True)
    assert not stored.supplies.filter(item__name=SYRINGES).exists()


def test_a_refused_encounter_can_be_discarded(page, demo):
    open_encounter_screen_ready_for_offline(page)
    go_offline(page)
    page.get_by_role("button", name="Anonymous").click()
    page.get_by_role("button", name="Save encounter").click()
    run_out_of(SYRINGES)
    page.context.set_offline(False)
    expect(page.locator("[data-rejected]")).to_have_count(1)

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-rejected]").get_by_role("button", name="Discard").click()

    expect(page.locator("[data-rejected]")).to_have_count(0)
    page.reload()
    expect(page.locator("[data-rejected]")).to_have_count(0)
    assert not Encounter.objects.filter(participant__isnull=True).exists()
    assert Item.objects.filter(name=SYRINGES).exists()


def test_code_answers_given_offline_find_someone_already_enrolled_at_sync(page, demo):
    open_encounter_screen_ready_for_offline(page)
    go_offline(page)
    page.get_by_text("Find by code questions").click()
    # The answers that make Sunny's code, SU0190DF.
    page.get_by_label("Mother's first name").fill("Susan")
    page.get_by_label("Birth month").select_option("01")
    page.get_by_label("Birth year").fill("1990")
    page.get_by_label("Place of birth (town or country)").fill("Denver")
    page.get_by_label("Woman", exact=True).check()
    page.get_by_role("button", name="Find").click()
    page.get_by_role("button", name="Save encounter").click()
    expect(page.get_by_text("1 waiting to sync")).to_be_visible()
    participants_before = Participant.objects.count()

    page.context.set_offline(False)

    expect(page.locator("[data-enrolled]")).to_contain_text(
        f"The code answers belong to {demo.public_id}, who was already enrolled."
    )
    assert Participant.objects.count() == participants_before
    assert demo.encounters.count() == 2


def test_a_session_that_ended_offline_keeps_the_queue_until_the_worker_signs_in(page, demo):
    open_encounter_screen_ready_for_offline(page)
    go_offline(page)
    page.get_by_role("button", name="Anonymous").click()
    page.get_by_role("button", name="Save encounter").click()
    expect(page.get_by_text("1 waiting to sync")).to_be_visible()
    Session.objects.all().delete()  # signed out meanwhile (the idle timeout on a shared phone)
    encounters_before = Encounter.objects.count()

    page.context.set_offline(False)

    expect(page.get_by_text("Sign in again to sync")).to_be_visible()
    expect(page.get_by_text("1 waiting to sync")).to_be_visible()
    assert Encounter.objects.count() == encounters_before

    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("outreach")
    page.get_by_label("Password").fill("outreach-demo")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_text("1 encounter synced.")).to_be_visible()
    expect(page.get_by_text("waiting to sync")).to_be_hidden()
    assert Encounter.objects.count() == encounters_before + 1


def test_a_busy_server_keeps_the_queue_says_how_long_and_syncs_after_that_wait(page, demo):
    """The server answers 503 with Retry-After (its database restarting): the encounters stay
    waiting, the page says when it tries again, and tries again then, not before."""
    open_encounter_screen_ready_for_offline(page)
    go_offline(page)
    page.get_by_role("button", name="Anonymous").click()
    page.get_by_role("button", name="Save encounter").click()
    expect(page.get_by_text("1 waiting to sync")).to_be_visible()
    encounters_before = Encounter.objects.count()
    sync_posts = []

    def database_restarting_once(route):
        sync_posts.append(time.monotonic())
        if len(sync_posts) > 1:
            route.continue_()
            return
        route.fulfill(
            status=503,
            headers={"Retry-After": "4", "Content-Type": "application/json"},
            body='{"detail": "The database is briefly unavailable."}',
        )

    # The context's route also sees what passes through the service worker.
    page.context.route("**/api/v1/sync/", database_restarting_once)

    page.context.set_offline(False)

    expect(page.get_by_text("The server is busy; trying again in 4 seconds.")).to_be_visible()
    page.wait_for_timeout(1_500)  # a moment later: still waiting, nothing sent meanwhile
    expect(page.get_by_text("1 waiting to sync")).to_be_visible()
    assert Encounter.objects.count() == encounters_before
    assert len(sync_posts) == 1

    expect(page.get_by_text("1 encounter synced.")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("waiting to sync")).to_be_hidden()
    assert Encounter.objects.count() == encounters_before + 1
    assert len(sync_posts) == 2
    assert sync_posts[1] - sync_posts[0] >= 3.5


# What the worker keeps for whoever signs in next: static files and the scripts' catalogues.
APP_FILES = ("/static/", "/jsi18n/")
CACHED_PATHS = """
caches.open("hrprogram-offline-v1")
  .then((cache) => cache.keys())
  .then((requests) => requests.map((request) => new URL(request.url).pathname))
"""


def test_signing_out_leaves_no_participants_in_the_phones_cache(page, demo):
    open_encounter_screen_ready_for_offline(page)
    cached = page.evaluate(CACHED_PATHS)
    assert "/encounters/new/" in cached
    assert f"/participants/pick/{demo.public_id}/" in cached

    # The page refreshes its offline copy after loading; sign out once that has settled.
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name="Sign out (outreach)").click()
    # A loaded CI machine can take a while to answer the sign-out and the sign-in page after it.
    expect(page.get_by_label("Username")).to_be_visible(timeout=20_000)

    # The service worker forgets while the sign-out goes through; give it a moment at most.
    for _attempt in range(20):
        cached = page.evaluate(CACHED_PATHS)
        if all(path.startswith(APP_FILES) for path in cached):
            break
        page.wait_for_timeout(250)
    assert all(path.startswith(APP_FILES) for path in cached), cached
    assert cached, "the app's own CSS and JS (and the words of the JS) stay for the next worker"


def test_someone_enrolled_a_minute_ago_is_found_offline_and_home_opens(page, demo):
    open_encounter_screen_ready_for_offline(page)
    # Online: a newcomer enrolled by code questions and saved.
    page.get_by_text("Find by code questions").click()
    page.get_by_label("Mother's first name").fill("Rosa")
    page.get_by_label("Birth month").select_option("07")
    page.get_by_label("Birth year").fill("1988")
    page.get_by_label("Place of birth (town or country)").fill("Quito")
    page.get_by_label("Non-binary").check()
    page.get_by_role("button", name="Find").click()
    page.get_by_role("button", name="Enrol with these answers").click()
    expect(page.locator("#selected-participant")).to_contain_text("New")
    page.get_by_role("button", name="Save encounter").click()
    expect(page.locator("#saved-confirmation")).to_be_visible()
    newcomer = Participant.objects.latest("enrolled_at")
    # The save refreshes the phone's recent participants at once, not five minutes later.
    pick = f"/participants/pick/{newcomer.public_id}/"
    wait_until(page, f"{CACHED_PATHS}.then((paths) => paths.includes('{pick}'))")

    go_offline(page)
    page.get_by_placeholder("Card id or alias").fill(newcomer.public_id)
    page.get_by_role("button", name=newcomer.public_id).click()
    expect(page.locator("#selected-participant")).to_contain_text(newcomer.public_id)

    # The home-screen icon opens the app with no signal.
    page.goto("/")
    expect(page.get_by_role("button", name="Save encounter")).to_be_visible()
