import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import Location, User
from supplies.models import StockLevel
from tests.two_factor import sign_in_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NALOXONE = "Naloxone nasal 4 mg (2-dose kit)"
SITE = "Main Street Drop-in Center"


@pytest.fixture
def demo_data():
    call_command("seed_demo", stdout=io.StringIO())


def sign_in(page, username, password, first_name):
    sign_in_in_browser(page, username, password)
    expect(page.get_by_role("heading", name=f"Welcome, {first_name}")).to_be_visible()


def sign_out(page):
    # A new person on the same phone: the session goes with the cookies.
    page.context.clear_cookies()
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def naloxone_lot_level(lot_number):
    return StockLevel.objects.get(lot__lot_number=lot_number, location__name=SITE).on_hand


def test_receive_hand_out_and_count(page, demo_data):
    # The program's date: browser tests keep the real clock, like Chromium.
    today = User.objects.get(username="manager").program.today()
    expiry = (today + timedelta(days=45)).isoformat()

    sign_in(page, "manager", "manager-demo", "Alex")
    page.goto("/supplies/receive/")
    page.get_by_label("Location").select_option(label=SITE)
    page.get_by_label("Item").select_option(label=NALOXONE)
    page.get_by_label("Quantity").fill("24")
    page.get_by_label("Lot number").fill("NX-777")
    page.get_by_label("Expiry date").fill(expiry)
    page.get_by_role("button", name="Add to stock").click()
    expect(page.get_by_text("NX-777").first).to_be_visible()
    assert naloxone_lot_level("NX-777") == 24
    sign_out(page)

    sign_in(page, "outreach", "outreach-demo", "Sam")
    page.goto("/encounters/new/")
    page.get_by_role("button", name="Anonymous").click()
    page.get_by_role("button", name="Clear").click()
    page.get_by_role("button", name="+ Naloxone and test strips").click()
    page.get_by_role("button", name="Save encounter").click()
    expect(page.locator("#saved-confirmation")).to_contain_text(NALOXONE)
    # The new lot expires first, so it is the one handed out.
    assert naloxone_lot_level("NX-777") == 23
    sign_out(page)

    sign_in(page, "manager", "manager-demo", "Alex")
    site = Location.objects.get(name=SITE)
    page.goto(f"/supplies/stock/?location={site.pk}")
    row = page.locator("tr", has_text="NX-777")
    expect(row).to_contain_text("23")
    page.goto(f"/supplies/count/{site.pk}/")
    page.get_by_label("NX-777", exact=False).fill("20")
    page.get_by_role("button", name="Save count").click()
    expect(page.locator("[data-count-result]")).to_contain_text("-3")
    page.goto(f"/supplies/stock/?location={site.pk}")
    expect(page.locator("tr", has_text="NX-777")).to_contain_text("20")
    assert naloxone_lot_level("NX-777") == 20
