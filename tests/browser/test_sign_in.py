import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_data():
    call_command("seed_demo", stdout=io.StringIO())


def test_demo_outreach_user_signs_in_and_sees_home(page, demo_data):
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    page.get_by_label("Username").fill("outreach")
    page.get_by_label("Password").fill("outreach-demo")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Welcome, Sam")).to_be_visible()
    expect(page.get_by_text("Main Street Drop-in Center")).to_be_visible()


def test_outreach_user_switches_to_spanish(page, demo_data):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("outreach")
    page.get_by_label("Password").fill("outreach-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Sam")).to_be_visible()

    page.get_by_label("Language").select_option("es")

    expect(page.get_by_role("heading", name="Hola, Sam")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Hola, Sam")).to_be_visible()
