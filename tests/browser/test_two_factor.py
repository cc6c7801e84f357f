import base64
import io

import pytest
from django.core.management import call_command
from django_otp.oath import TOTP
from playwright.sync_api import expect

from audit.models import AuditEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_data():
    call_command("seed_demo", stdout=io.StringIO())


def test_manager_sets_up_an_authenticator_at_first_sign_in(page, demo_data):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill("manager-demo")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    qr_code = page.locator("[data-qr-code] svg")
    expect(qr_code).to_be_visible()
    assert qr_code.bounding_box()["width"] >= 150  # big enough for a phone camera
    page.get_by_text("Cannot scan? Type this key instead").click()
    # What a person types into the app, and the code the app then shows.
    key = "".join(page.locator("[data-secret-key]").inner_text().split())
    code = f"{TOTP(base64.b32decode(key)).token():06d}"
    page.get_by_label("Code from the app").fill(code)
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator("[data-recovery-codes] li")).to_have_count(10)
    page.get_by_role("link", name="I have saved my codes").click()
    expect(page.get_by_role("heading", name="Welcome, Alex")).to_be_visible()
    assert AuditEntry.objects.filter(action="accounts.two_factor.enrolled").count() == 1
