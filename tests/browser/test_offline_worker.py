"""The service worker of the encounter screen: its URLs come from the server, and a new version
keeps only its own static files."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from encounters import offline as views
from tests.browser import test_offline
from tests.browser.test_offline import (
    go_offline,
    open_encounter_screen_ready_for_offline,
    wait_until,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

demo = test_offline.demo  # the fixture: the demo program, and a participant seen recently

CACHE = "hrprogram-offline-v1"
CACHED_PATHS = f"""
caches.open("{CACHE}")
  .then((cache) => cache.keys())
  .then((requests) => requests.map((request) => new URL(request.url).pathname))
"""
# What an older version of the worker left: a static file under a hash no page names any more,
# and a cache of an older format.
STALE = "/static/js/app.0123456789ab.js"
LEAVE_OLD_VERSION = f"""
Promise.all([
  caches.open("{CACHE}").then((cache) => cache.put("{STALE}", new Response("// old"))),
  caches.open("hrprogram-offline-v0").then((cache) => cache.put("{STALE}", new Response(""))),
])
"""
UPDATE_WORKER = "navigator.serviceWorker.getRegistration().then((worker) => worker.update())"


def test_a_new_version_of_the_worker_keeps_only_its_own_static_files(page, demo, monkeypatch):
    open_encounter_screen_ready_for_offline(page)
    page.evaluate(LEAVE_OLD_VERSION)
    assert STALE in page.evaluate(CACHED_PATHS)

    # A deploy: the page's static files change, so does the worker's source; the browser installs
    # the new worker, which takes over at once.
    current = views._offline_assets()
    new_file = "/static/icons/icon-192.png"
    monkeypatch.setattr(views, "_offline_assets", lambda: [*current, new_file])
    page.evaluate(UPDATE_WORKER)

    wait_until(page, f"{CACHED_PATHS}.then((paths) => !paths.includes('{STALE}'))")
    cached = page.evaluate(CACHED_PATHS)
    assert new_file in cached
    assert {urlsplit(url).path for url in current} <= set(cached)
    assert page.evaluate("caches.keys()") == [CACHE]
    # The worker's own data stays: the page and the recent participants, to work offline.
    assert "/encounters/new/" in cached
    assert f"/participants/pick/{demo.public_id}/" in cached
    go_offline(page)
    page.reload()
    expect(page.get_by_role("button", name="Save encounter")).to_be_visible()


@pytest.mark.urls("tests.moved_site_urls")
def test_the_worker_follows_the_apps_urls_from_the_server(page, demo):
    """The whole site moved under /field/: the worker keeps and serves the moved URLs."""
    page.goto("/field/accounts/login/")
    page.get_by_label("Username").fill("outreach")
    page.get_by_label("Password").fill("outreach-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Sam")).to_be_visible()
    page.goto("/field/encounters/new/")
    wait_until(page, "!!(navigator.serviceWorker && navigator.serviceWorker.controller)")
    expect(page.locator("html[data-offline-ready]")).to_have_count(1, timeout=20_000)
    cached = page.evaluate(CACHED_PATHS)
    assert "/field/encounters/new/" in cached
    assert f"/field/participants/pick/{demo.public_id}/" in cached
    assert "/field/api/v1/items/" in cached
    assert not any(path.startswith(("/encounters/", "/participants/", "/api/")) for path in cached)

    go_offline(page)
    page.reload()
    expect(page.get_by_role("button", name="Save encounter")).to_be_visible()
    page.get_by_placeholder("Card id or alias").fill("sun")
    page.get_by_role("button", name=str(demo)).click()
    expect(page.locator("#selected-participant")).to_contain_text(demo.public_id)
    page.get_by_role("button", name="Save encounter").click()
    expect(page.get_by_text("1 waiting to sync")).to_be_visible()
    encounters_before = demo.encounters.count()

    page.context.set_offline(False)
    expect(page.get_by_text("1 encounter synced.")).to_be_visible()
    assert demo.encounters.count() == encounters_before + 1

    # Signing out at its moved URL still clears the worker's participants from the phone.
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name="Sign out (outreach)").click()
    expect(page.get_by_label("Username")).to_be_visible()
    for _attempt in range(20):
        cached = page.evaluate(CACHED_PATHS)
        if all(path.startswith(("/static/", "/field/jsi18n/")) for path in cached):
            break
        page.wait_for_timeout(250)
    assert all(path.startswith(("/static/", "/field/jsi18n/")) for path in cached), cached
